package dev.loomgate.benchmarks;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouteGoalReportTest {
    @Test
    void goalsMetAtTheLimits() {
        RouteGoalReport r = new RouteGoalReport(10_000, 2_500, 2_000, 9_000, 400, 1_000, 1_400, 600);
        assertTrue(r.allMet());
        assertEquals("  match:         avg 2,500 ns (median iteration 2,000 ns)   p99 9,000 ns   cpu 400 ns"
                + "   (goal: avg <= 2,000 ns, median iteration judged: met)", r.lines().get(1));
        assertEquals("  build + swap:  avg 1,000 ms   max 1,400 ms   cpu 600 ms   (goal: <= 1,000 ms: met)", r.lines().get(2));
    }

    @Test
    void eachGoalMissedOnItsOwn() {
        RouteGoalReport slowMatch = new RouteGoalReport(10_000, 1_900, 2_001, 3_000, 300, 10, 12, 9);
        assertFalse(slowMatch.matchMet());
        assertTrue(slowMatch.buildMet());
        assertFalse(slowMatch.allMet());
        assertTrue(slowMatch.lines().get(1).endsWith("MISSED)"));
        RouteGoalReport slowBuild = new RouteGoalReport(10_000, 300, 300, 900, 200, 1_001, 1_001, 700);
        assertTrue(slowBuild.matchMet());
        assertFalse(slowBuild.allMet());
        assertTrue(slowBuild.lines().get(2).endsWith("MISSED)"));
        assertEquals("route table: 10,000 routes", slowBuild.lines().get(0));
    }

    @Test
    void medianOfIterations() {
        assertEquals(300, RouteGoalReport.median(new double[]{40_000, 300, 200}));
        assertEquals(250, RouteGoalReport.median(new double[]{300, 200, 40_000, 100}));
    }
}
