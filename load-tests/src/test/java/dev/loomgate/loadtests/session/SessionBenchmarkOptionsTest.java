package dev.loomgate.loadtests.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.loomgate.loadtests.WrkBenchOptions;

/** bin/bench-session's flags and defaults: the ones it had, plus --sessions. */
class SessionBenchmarkOptionsTest {
    private static WrkBenchOptions parse(String... args) {
        return SessionBenchmark.SPEC.parse(args, Path.of("/repo"));
    }

    @Test
    void defaults() {
        WrkBenchOptions o = parse();
        assertEquals(3, o.rounds());
        assertEquals(8, o.seconds());
        assertEquals(5, o.warmup());
        assertEquals(32, o.connections());
        assertEquals(2, o.threads());
        assertEquals(1000, o.value("--sessions"));
    }

    @Test
    void itsFlags() {
        WrkBenchOptions o = parse("--gateway-jar", "gateway/target/loomgate-gateway.jar", "--rounds", "1",
                "--seconds", "2", "--warmup", "1", "--connections", "16", "--threads", "2", "--sessions", "1");
        assertEquals(1, o.rounds());
        assertEquals(2, o.seconds());
        assertEquals(1, o.warmup());
        assertEquals(16, o.connections());
        assertEquals(1, o.value("--sessions"));
        assertThrows(IllegalArgumentException.class, () -> parse("--sessions", "0"));
    }

    @Test
    void usageExplainsSessions() {
        String usage = SessionBenchmark.SPEC.usage();
        assertTrue(usage.startsWith("usage: bin/bench-session [options]"), usage);
        assertTrue(usage.contains("--sessions N") && usage.contains("(default 1000)") && usage.contains("--warmup N"),
                usage);
    }
}
