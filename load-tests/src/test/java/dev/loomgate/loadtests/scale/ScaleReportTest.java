package dev.loomgate.loadtests.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class ScaleReportTest {
    private static ScaleReport.Point p(String d, int v, String t, double rps) {
        return new ScaleReport.Point(d, v, t, rps, 5000, 0);
    }

    private static final ScaleReport REPORT = new ScaleReport("2 cores", "wrk -t2", List.of(
            p("routes", 10, "loomgate", 20_000), p("routes", 10, "nginx", 40_000),
            p("routes", 10000, "loomgate", 18_000), p("routes", 10000, "nginx", 39_000),
            p("connections", 64, "loomgate", 20_000), p("connections", 64, "nginx", 40_000),
            p("connections", 10000, "loomgate", 5_000), p("connections", 10000, "nginx", 30_000),
            new ScaleReport.Point("size", 1048576, "loomgate", 300, 90_000, 7)));

    @Test
    void growthComparesTheLastValueWithTheFirst() {
        ScaleReport.Growth g = REPORT.growth("connections").orElseThrow();
        assertEquals(0.25, g.keptLoomgate(), 1e-9);
        assertEquals(0.75, g.keptNginx().orElseThrow(), 1e-9);
        assertTrue(REPORT.growth("size").isEmpty(), "one value: no curve");
    }

    @Test
    void saysWhereTheCostGrowsMost() {
        String s = REPORT.whereCostGrows();
        assertTrue(s.contains("Loomgate's cost grows most with connections (64 -> 10,000)"), s);
        assertTrue(s.contains("routes       10 -> 10,000: Loomgate keeps 0.90, nginx 0.98"), s);
    }

    @Test
    void markdownTableIsReadyForTheReadme() {
        String md = REPORT.markdown();
        assertTrue(md.contains("| curve | value | Loomgate req/s | Loomgate p99 | nginx req/s | nginx p99 | Loomgate/nginx | errors |"), md);
        assertTrue(md.contains("| routes | 10,000 | 18,000 | 5.00 ms | 39,000 | 5.00 ms | 0.46 | 0 |"), md);
        assertTrue(md.contains("| size | 1 MiB | 300 | 90.00 ms | - | - | - | 7 |"), md);
        assertTrue(REPORT.json().contains("{\"dimension\": \"connections\", \"first\": 64, \"last\": 10000, \"keptLoomgate\": 0.250, \"keptNginx\": 0.750}"),
                REPORT.json());
    }

    @Test
    void sizeLabels() {
        assertEquals("100 B", ScaleReport.label("size", 100));
        assertEquals("10 KiB", ScaleReport.label("size", 10240));
        assertEquals("1 MiB", ScaleReport.label("size", 1048576));
        assertEquals("1,000", ScaleReport.label("routes", 1000));
    }
}
