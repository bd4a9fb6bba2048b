package dev.loomgate.loadtests.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class LatencyOptionsTest {
    private static final Path ROOT = Path.of("/repo");

    private static LatencyOptions parse(String... args) {
        return LatencyOptions.parse(args, ROOT);
    }

    @Test
    void defaultsMeasureNginxAndOfferHalfOfIt() {
        LatencyOptions o = parse();
        assertEquals(Optional.empty(), o.rate());
        assertEquals(0.5, o.rateShare());
        assertEquals(30, o.durationSec());
        assertEquals(64, o.connections());
        assertEquals(20, o.warmupSec());
        assertEquals(10, o.maxProbeSec());
        assertEquals(ROOT.resolve("gateway/target/loomgate-gateway.jar"), o.gatewayJar());
        assertEquals(ROOT.resolve("load-tests/target/bench"), o.outDir());
    }

    @Test
    void quickShortensEverythingButExplicitFlagsWin() {
        LatencyOptions o = parse("--quick", "--duration", "7");
        assertEquals(7, o.durationSec());
        assertEquals(5, o.warmupSec());
        assertEquals(3, o.maxProbeSec());
    }

    @Test
    void fixedRateShareAndJvmOptions() {
        assertEquals(Optional.of(5000.0), parse("--rate", "5000").rate());
        assertEquals(0.25, parse("--rate-share", "0.25").rateShare());
        assertEquals(List.of("-Xmx256m", "-XX:+UseSerialGC"),
                parse("--gateway-jvm-opts", " -Xmx256m  -XX:+UseSerialGC ").gatewayJvmOpts());
    }

    @Test
    void badInputGetsAClearError() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--rate", "0")).getMessage().contains("--rate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--rate-share", "1.5")).getMessage().contains("--rate-share"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--rate", "10", "--rate-share", "0.5"))
                .getMessage().contains("not both"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--duration")).getMessage().contains("needs a value"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--connections", "x")).getMessage().contains("whole number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--bogus")).getMessage().contains("unknown option"));
    }
}
