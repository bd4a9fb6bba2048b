package dev.loomgate.loadtests.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.loomgate.loadtests.WrkBenchOptions;

/** bin/bench-ratelimit's flags and defaults, its two text flags checked against what the gateway takes. */
class RateLimitBenchmarkOptionsTest {
    private static WrkBenchOptions parse(String... args) {
        return RateLimitBenchmark.SPEC.parse(args, Path.of("/repo"));
    }

    @Test
    void defaults() {
        WrkBenchOptions o = parse();
        assertEquals(3, o.rounds());
        assertEquals(8, o.seconds());
        assertEquals(32, o.connections());
        assertEquals(2, o.threads());
        assertEquals("5ms", o.text("--latency-budget"));
        assertEquals("reserving", o.text("--sync"));
        assertEquals(Path.of("/repo/gateway/target/loomgate-gateway.jar"), o.gatewayJar());
    }

    @Test
    void itsFlags() {
        WrkBenchOptions o = parse("--rounds", "1", "--seconds", "2", "--latency-budget", "20ms", "--sync", "none");
        assertEquals(1, o.rounds());
        assertEquals("20ms", o.text("--latency-budget"));
        assertEquals("none", o.text("--sync"));
        assertThrows(IllegalStateException.class, () -> o.value("--warmup"), "--warmup is not a flag of this one");
    }

    @Test
    void badTextValuesAreRefusedWithTheFlagsName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("--sync", "fast"));
        assertTrue(e.getMessage().startsWith("--sync: 'fast'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> parse("--latency-budget", "5"));
        assertThrows(IllegalArgumentException.class, () -> parse("--latency-budget", "5msx"));
        assertThrows(IllegalArgumentException.class, () -> parse("--sync"));
        assertThrows(IllegalArgumentException.class, () -> parse("--warmup", "1"));
    }

    @Test
    void usageListsEveryFlag() {
        String usage = RateLimitBenchmark.SPEC.usage();
        assertTrue(usage.startsWith("usage: bin/bench-ratelimit [options]   (or: make bench-ratelimit)"), usage);
        for (String flag : new String[] {"--rounds N", "--latency-budget D", "--sync MODE", "--gateway-jar PATH"}) {
            assertTrue(usage.contains(flag), flag + " in\n" + usage);
        }
        assertTrue(usage.contains("(default reserving)"), usage);
    }

    @Test
    void aTextFlagsDefaultMustBeValidAndItsNameOwn() {
        assertThrows(IllegalArgumentException.class, () -> WrkBenchOptions.Spec.of("x", "")
                .text("--mode", "M", "c", "a|b", "a or b"));
        assertThrows(IllegalArgumentException.class, () -> WrkBenchOptions.Spec.of("x", "")
                .text("--mode", "M", "a", "a|b", "a or b").flag("--mode", 1, "twice"));
        assertThrows(IllegalArgumentException.class, () -> WrkBenchOptions.Spec.of("x", "")
                .text("--rounds", "M", "a", "a|b", "a shared flag"));
    }
}
