package dev.loomgate.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchRoutesOptionsTest {
    @Test
    void defaultsAndOptions() {
        assertEquals(new BenchRoutesOptions(10_000, false, false), BenchRoutesOptions.parse(List.of()));
        assertEquals(new BenchRoutesOptions(1_000, true, false), BenchRoutesOptions.parse(List.of("--routes", "1000", "--quick")));
        assertTrue(BenchRoutesOptions.parse(List.of("--help")).help());
    }

    @Test
    void badInputIsNamed() {
        assertEquals("--routes: 'ten' is not a number",
                assertThrows(IllegalArgumentException.class, () -> BenchRoutesOptions.parse(List.of("--routes", "ten"))).getMessage());
        assertEquals("--routes needs a number",
                assertThrows(IllegalArgumentException.class, () -> BenchRoutesOptions.parse(List.of("--routes"))).getMessage());
        assertEquals("--routes: at least 100, got 5",
                assertThrows(IllegalArgumentException.class, () -> BenchRoutesOptions.parse(List.of("--routes", "5"))).getMessage());
        assertEquals("unknown option '--fast' (see --help)",
                assertThrows(IllegalArgumentException.class, () -> BenchRoutesOptions.parse(List.of("--fast"))).getMessage());
    }
}
