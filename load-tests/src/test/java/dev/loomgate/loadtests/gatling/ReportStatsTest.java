package dev.loomgate.loadtests.gatling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReportStatsTest {
    static String fixture(String name) throws IOException {
        try (InputStream in = ReportStatsTest.class.getResourceAsStream("/gatling/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsEveryRequestRowOfARealReport() throws IOException {
        List<RequestStats> rows = ReportStats.parse(fixture("stress-report-cold.html"));
        assertEquals(List.of(new RequestStats("warmup", 100, 0, 1587, 2264, 2264),
                new RequestStats("plateau-01-50rps", 150, 0, 234, 2571, 2728),
                new RequestStats("plateau-02-100rps", 300, 0, 1, 141, 159),
                new RequestStats("plateau-03-150rps", 450, 0, 1, 66, 74)), rows.stream()
                .map(r -> new RequestStats(r.name(), r.total(), r.ko(), r.p50Ms(), r.p99Ms(), r.maxMs())).toList());
    }

    @Test
    void thousandsSeparatorsAndKo() throws IOException {
        List<RequestStats> rows = ReportStats.parse(fixture("stress-report-edited.html"));
        assertEquals(1100, ReportStats.find(rows, "warmup").orElseThrow().total());
        RequestStats third = ReportStats.find(rows, "plateau-03-150rps").orElseThrow();
        assertEquals(2, third.ko());
        assertEquals(66, third.p99Ms());
        assertEquals(100.0 * 2 / 450, third.koPercent(), 1e-9);
        assertEquals(Optional.empty(), ReportStats.find(rows, "All Requests"));
    }

    @Test
    void aTableWithoutThe99thColumnIsRefused() throws IOException {
        String html = fixture("stress-report-cold.html").replace("99th pct", "98th pct");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReportStats.parse(html));
        assertTrue(e.getMessage().contains("'99th pct'"), e.getMessage());
    }

    @Test
    void somethingThatIsNoReportIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ReportStats.parse("<html>nothing</html>"));
    }
}
