package dev.loomgate.loadtests.consul;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsulBenchOptionsTest {
    @Test
    void defaultsAndRoutes() {
        ConsulBenchOptions d = ConsulBenchOptions.parse(List.of());
        assertEquals(50, d.pushes());
        assertEquals(10, d.warmup());
        assertEquals(0, d.routes());
        ConsulBenchOptions big = ConsulBenchOptions.parse(List.of("--routes", "10000", "--pushes", "20", "--warmup", "3"));
        assertEquals(10_000, big.routes());
        assertEquals(20, big.pushes());
        assertEquals(3, big.warmup());
        assertTrue(ConsulBenchOptions.parse(List.of("--help")).help());
    }

    @Test
    void badInputIsNamed() {
        assertEquals("--routes: 0 or at least 100, got 50",
                assertThrows(IllegalArgumentException.class, () -> ConsulBenchOptions.parse(List.of("--routes", "50"))).getMessage());
        assertEquals("--pushes: 'x' is not a number",
                assertThrows(IllegalArgumentException.class, () -> ConsulBenchOptions.parse(List.of("--pushes", "x"))).getMessage());
        assertEquals("--pushes: at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> ConsulBenchOptions.parse(List.of("--pushes", "0"))).getMessage());
        assertEquals("--warmup needs a value",
                assertThrows(IllegalArgumentException.class, () -> ConsulBenchOptions.parse(List.of("--warmup"))).getMessage());
        assertEquals("unknown option --fast (see --help)",
                assertThrows(IllegalArgumentException.class, () -> ConsulBenchOptions.parse(List.of("--fast"))).getMessage());
    }
}
