package dev.loomgate.loadtests.gatling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MemoryReadingsTest {
    @Test
    void heapFromARealNodeMetricsPage() throws IOException {
        String metrics = ReportStatsTest.fixture("node-metrics.txt");
        assertEquals(Optional.of(46949312L), MemoryReadings.heapUsedBytes(metrics));
        // not the committed or max series of the same area
        assertEquals(Optional.of(257425408.0),
                MemoryReadings.gauge(metrics, "jvm_memory_committed_bytes", "area", "heap"));
    }

    @Test
    void heapWithMoreLabelsScientificNotationAndATimestamp() {
        String text = """
                # TYPE jvm_memory_used_bytes gauge
                jvm_memory_used_bytes{area="nonheap",id="x"} 5
                jvm_memory_used_bytes{id="G1 Old Gen",area="heap"} 1.5E7 1700000000000
                """;
        assertEquals(Optional.of(15_000_000L), MemoryReadings.heapUsedBytes(text));
        assertEquals(Optional.empty(), MemoryReadings.heapUsedBytes("jvm_memory_used_bytes_total{area=\"heap\"} 3\n"));
        assertEquals(Optional.empty(), MemoryReadings.heapUsedBytes("jvm_memory_used_bytes{area=\"heapx\"} 3\n"));
        assertThrows(IllegalArgumentException.class,
                () -> MemoryReadings.heapUsedBytes("jvm_memory_used_bytes{area=\"heap\"} lots\n"));
    }

    @Test
    void rssFromARealProcStatus() throws IOException {
        assertEquals(Optional.of(114412L * 1024), MemoryReadings.rssBytes(ReportStatsTest.fixture("proc-status.txt")));
        assertEquals(Optional.empty(), MemoryReadings.rssBytes("Name:\tjava\nVmHWM:\t  10 kB\n"));
    }

    @Test
    void heapGrowthGoalAndTable() {
        long mb = 1024 * 1024;
        MemorySample.Growth flat = new MemorySample.Growth(new MemorySample("gw1", 11, 40 * mb, 200 * mb),
                new MemorySample("gw1", 11, 71 * mb, 260 * mb));
        MemorySample.Growth leak = new MemorySample.Growth(new MemorySample("gw2", 12, 40 * mb, 200 * mb),
                new MemorySample("gw2", 12, 73 * mb, 210 * mb));
        assertTrue(flat.heapHeld(32));
        assertFalse(leak.heapHeld(32));
        String table = MemorySample.table(List.of(flat, leak), 32);
        assertTrue(table.contains("31.0 MB"), table);
        assertTrue(table.contains("60.0 MB"), table);
        assertTrue(table.lines().filter(l -> l.startsWith("gw2")).allMatch(l -> l.endsWith("NO")), table);
        String start = MemorySample.startTable(List.of(flat.start()));
        assertTrue(start.lines().anyMatch(l -> l.startsWith("gw1") && l.contains("40.0 MB") && l.contains("200.0 MB")),
                start);
    }
}
