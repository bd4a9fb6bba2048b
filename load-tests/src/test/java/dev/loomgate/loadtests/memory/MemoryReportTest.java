package dev.loomgate.loadtests.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class MemoryReportTest {
    private static MemoryReport.Row loomgate(long peakKib, long probeFailed) {
        return new MemoryReport.Row("loomgate", 100 * 1024, 200 * 1024, peakKib, 10_000, 0, probeFailed, 1000, 0, 2000);
    }

    private static final MemoryReport.Row NGINX = new MemoryReport.Row("nginx", 20 * 1024, 30 * 1024, 31 * 1024,
            10_000, 0, 0, 999, 0, 1500);

    @Test
    void goalIs300MibPeakWithoutErrors() {
        assertEquals("PASS", new MemoryReport("m", "s", List.of(loomgate(300 * 1024, 0), NGINX), List.of()).verdict());
        assertEquals("MISS", new MemoryReport("m", "s", List.of(loomgate(300 * 1024 + 1, 0), NGINX), List.of()).verdict());
        MemoryReport failed = new MemoryReport("m", "s", List.of(loomgate(250 * 1024, 2)), List.of());
        assertEquals("MISS", failed.verdict());
        assertEquals(2, failed.errors());
        assertEquals("n/a", new MemoryReport("m", "s", List.of(NGINX), List.of()).verdict());
    }

    @Test
    void bytesPerConnectionIsTheRssGrowthPerOpenedConnection() {
        assertEquals(100 * 1024 * 1024 / 10_000, loomgate(300, 0).bytesPerConnection());
        assertEquals(0, new MemoryReport.Row("x", 1, 2, 3, 0, 5, 0, 0, 0, 0).bytesPerConnection());
    }

    @Test
    void textMarkdownAndJson() {
        MemoryReport r = new MemoryReport("2 cores", "10,000 idle", List.of(loomgate(400 * 1024, 0), NGINX),
                List.of("NMT Total: reserved=9000MB, committed=450MB"));
        assertTrue(r.text().contains("goal: Loomgate peak RSS 400 MiB <= 300 MiB and no error (0): MISS"), r.text());
        assertTrue(r.markdown().contains("| nginx | 20 MiB | 30 MiB | 31 MiB | 1048 | 10000 | 0 | 999 | 1.50 ms |"), r.markdown());
        assertTrue(r.markdown().contains("NMT Total"), r.markdown());
        assertTrue(r.json().contains("\"rssPeakKib\": 409600"), r.json());
        assertTrue(r.json().contains("\"verdict\": \"MISS\""), r.json());
    }

    @Test
    void vmRssIsReadFromProcStatus() {
        String status = "Name:\tjava\nVmPeak:\t 9000000 kB\nVmRSS:\t  204800 kB\nRssAnon:\t 1 kB\n";
        assertEquals(Optional.of(204_800L), ProcessMemory.parseVmRss(status));
        assertEquals(Optional.empty(), ProcessMemory.parseVmRss("Name:\tkthreadd\n"));
        assertTrue(ProcessMemory.rssKib(ProcessHandle.current()) > 0, "this JVM has a resident set");
    }
}
