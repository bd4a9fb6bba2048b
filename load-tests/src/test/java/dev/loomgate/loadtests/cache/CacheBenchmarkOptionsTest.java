package dev.loomgate.loadtests.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.loomgate.loadtests.WrkBenchOptions;

/** bin/bench-cache's flags and defaults, as they were before the shared parser. */
class CacheBenchmarkOptionsTest {
    private static WrkBenchOptions parse(String... args) {
        return CacheBenchmark.SPEC.parse(args, Path.of("/repo"));
    }

    @Test
    void defaults() {
        WrkBenchOptions o = parse();
        assertEquals(1000, o.value("--purges"));
        assertEquals(3, o.rounds());
        assertEquals(8, o.seconds());
        assertEquals(32, o.connections());
        assertEquals(2, o.threads());
    }

    @Test
    void itsFlags() {
        WrkBenchOptions o = parse("--gateway-jar", "gateway/target/loomgate-gateway.jar", "--purges", "10",
                "--rounds", "1", "--seconds", "2", "--connections", "4", "--threads", "1");
        assertEquals(10, o.value("--purges"));
        assertEquals(1, o.rounds());
        assertEquals(2, o.seconds());
        assertEquals(4, o.connections());
        assertEquals(1, o.threads());
    }

    @Test
    void warmupIsNotItsFlag() {
        assertThrows(IllegalArgumentException.class, () -> parse("--warmup", "3"));
        String usage = CacheBenchmark.SPEC.usage();
        assertTrue(usage.contains("--purges N") && usage.contains("throughput rounds (default 3)"), usage);
    }
}
