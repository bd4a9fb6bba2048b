package dev.loomgate.loadtests.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class ScaleOptionsTest {
    private static final Path ROOT = Path.of("/repo");

    private static ScaleOptions parse(String... args) {
        return ScaleOptions.parse(args, ROOT);
    }

    @Test
    void defaultsAreTheIssuesCurves() {
        ScaleOptions o = parse();
        assertEquals(List.of("routes", "endpoints", "connections", "size"), o.dimensions());
        assertEquals(List.of(10, 1000, 10000), o.routes());
        assertEquals(List.of(1, 10, 100), o.endpoints());
        assertEquals(List.of(64, 1000, 10000), o.connections());
        assertEquals(List.of(100, 10240, 1048576), o.sizes());
        assertEquals(10, o.durationSec());
        assertEquals(15, o.warmupSec());
        assertTrue(o.nginx());
    }

    @Test
    void quickAndSelections() {
        ScaleOptions o = parse("--quick", "--dimensions", "size,routes,size", "--routes", "10, 100", "--no-nginx");
        assertEquals(3, o.durationSec());
        assertEquals(5, o.warmupSec());
        assertEquals(List.of("size", "routes"), o.dimensions());
        assertEquals(List.of(10, 100), o.routes());
        assertEquals(false, o.nginx());
    }

    @Test
    void badListsGetAClearError() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--dimensions", "routes,cpu"))
                .getMessage().contains("unknown curve 'cpu'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--routes", "1000,10"))
                .getMessage().contains("ascending"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--routes", "10,10"))
                .getMessage().contains("without repeats"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--connections", "1,64"))
                .getMessage().contains("outside 2..15000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--sizes", "1k"))
                .getMessage().contains("whole numbers"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--duration", "0")).getMessage().contains("> 0"));
    }
}
