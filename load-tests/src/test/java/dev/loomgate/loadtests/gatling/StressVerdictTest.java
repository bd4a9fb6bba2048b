package dev.loomgate.loadtests.gatling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class StressVerdictTest {
    private static RequestStats row(String name, long total, long ko, long p99) {
        return new RequestStats(name, total, ko, 1, p99, p99 + 10);
    }

    @Test
    void highestHeldIsTheLastPlateauBeforeTheFirstBreachInAReport() throws IOException {
        StressVerdict v = StressVerdict.evaluate(ReportStats.parse(ReportStatsTest.fixture("stress-report-edited.html")),
                50, 0.1);
        assertTrue(v.passed());
        assertEquals(100, v.highestHeld().orElseThrow().rate());
        StressVerdict.Plateau third = v.plateaus().get(2);
        assertFalse(third.p99Held());
        assertFalse(third.errorsHeld());
        assertTrue(v.table().contains("NO: p99 errors"), v.table());
        assertTrue(v.table().contains("highest rate that held: 100 req/s (plateau 2 of 3)"), v.table());
    }

    @Test
    void noneHeldWhenTheFirstPlateauMisses() throws IOException {
        StressVerdict v = StressVerdict.evaluate(ReportStats.parse(ReportStatsTest.fixture("stress-report-cold.html")),
                50, 0.1);
        assertFalse(v.passed());
        assertTrue(v.table().contains("highest rate that held: none (the first plateau, 50 req/s"), v.table());
    }

    @Test
    void aPlateauHoldingAfterABreachDoesNotCount() {
        StressVerdict v = StressVerdict.evaluate(List.of(row("warmup", 10, 5, 900), row("plateau-01-100rps", 1000, 0, 10),
                row("plateau-02-200rps", 2000, 3, 12), row("plateau-03-300rps", 3000, 0, 20)), 50, 0.1);
        assertEquals(100, v.highestHeld().orElseThrow().rate());
        assertTrue(v.plateaus().get(2).held());
    }

    @Test
    void errorShareAtTheLimitHoldsAndP99AtTheLimitHolds() {
        StressVerdict v = StressVerdict.evaluate(List.of(row("plateau-01-100rps", 1000, 1, 50)), 50, 0.1);
        assertEquals(100, v.highestHeld().orElseThrow().rate());
        assertTrue(v.table().contains("every plateau held"), v.table());
        StressVerdict over = StressVerdict.evaluate(List.of(row("plateau-01-100rps", 1000, 2, 50)), 50, 0.1);
        assertFalse(over.passed());
        StressVerdict slow = StressVerdict.evaluate(List.of(row("plateau-01-100rps", 1000, 0, 51)), 50, 0.1);
        assertFalse(slow.passed());
    }

    @Test
    void plateausAreOrderedByIndexAndGapsRefused() {
        StressVerdict v = StressVerdict.evaluate(List.of(row("plateau-02-200rps", 10, 0, 60),
                row("plateau-01-100rps", 10, 0, 10)), 50, 0.1);
        assertEquals(100, v.highestHeld().orElseThrow().rate());
        assertThrows(IllegalArgumentException.class, () -> StressVerdict.evaluate(
                List.of(row("plateau-01-100rps", 10, 0, 10), row("plateau-03-300rps", 10, 0, 10)), 50, 0.1));
        assertThrows(IllegalArgumentException.class, () -> StressVerdict.evaluate(
                List.of(row("steady", 10, 0, 10)), 50, 0.1));
    }

    @Test
    void anEmptyPlateauDoesNotHold() {
        assertFalse(StressVerdict.evaluate(List.of(row("plateau-01-100rps", 0, 0, 0)), 50, 0.1).passed());
    }
}
