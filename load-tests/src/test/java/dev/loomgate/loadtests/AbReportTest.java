package dev.loomgate.loadtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class AbReportTest {
    private static AbReport.Row row(String target, boolean k, double rps) {
        return new AbReport.Row(target, k, new AbResult(1000, 0, 0, k ? 1000 : 0, rps, 2, 9));
    }

    private static final AbReport REPORT = new AbReport("ab -k -n 1000", List.of(
            row("direct", true, 30_000), row("loomgate", true, 12_000), row("nginx", true, 20_000),
            row("direct", false, 9_000), row("loomgate", false, 4_000), row("nginx", false, 5_000)));

    @Test
    void loomgateOverNginxPerMode() {
        assertEquals(0.6, REPORT.loomgateVsNginx(true).orElseThrow(), 1e-9);
        assertEquals(0.8, REPORT.loomgateVsNginx(false).orElseThrow(), 1e-9);
        assertEquals(Optional.empty(), new AbReport("x", List.of(row("direct", true, 1))).loomgateVsNginx(true));
    }

    @Test
    void tables() {
        assertTrue(REPORT.text().contains("loomgate/nginx req/s: keep-alive 0.60, without 0.80"), REPORT.text());
        assertTrue(REPORT.markdown().contains("| loomgate | 12,000 (p99 9 ms) | 4,000 (p99 9 ms) |"), REPORT.markdown());
        assertTrue(REPORT.json().contains("\"loomgateVsNginxKeepAlive\": 0.600"), REPORT.json());
        assertTrue(REPORT.json().contains("{\"target\": \"nginx\", \"keepAlive\": false, \"requestsPerSec\": 5000.0"), REPORT.json());
    }
}
