package dev.loomgate.loadtests.async;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.loomgate.loadtests.WrkBenchOptions;

/** bin/bench-async's flags and defaults, as they were before the shared parser. */
class AsyncBenchmarkOptionsTest {
    private static WrkBenchOptions parse(String... args) {
        return AsyncBenchmark.SPEC.parse(args, Path.of("/repo"));
    }

    @Test
    void defaults() {
        WrkBenchOptions o = parse();
        assertEquals(8, o.seconds());
        assertEquals(200, o.value("--rate"));
        assertEquals(32, o.connections());
        assertEquals(2, o.threads());
    }

    @Test
    void itsFlags() {
        WrkBenchOptions o = parse("--gateway-jar", "gateway/target/loomgate-gateway.jar", "--seconds", "3", "--rate",
                "50", "--connections", "8", "--threads", "1");
        assertEquals(Path.of("/repo/gateway/target/loomgate-gateway.jar"), o.gatewayJar());
        assertEquals(3, o.seconds());
        assertEquals(50, o.value("--rate"));
        assertEquals(8, o.connections());
        assertEquals(1, o.threads());
    }

    @Test
    void roundsAndWarmupAreNotItsFlags() {
        assertThrows(IllegalArgumentException.class, () -> parse("--rounds", "3"));
        assertThrows(IllegalArgumentException.class, () -> parse("--warmup", "3"));
        String usage = AsyncBenchmark.SPEC.usage();
        assertTrue(usage.contains("--rate N") && usage.contains("(default 200)") && !usage.contains("--rounds"), usage);
    }
}
