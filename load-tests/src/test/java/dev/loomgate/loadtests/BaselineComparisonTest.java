package dev.loomgate.loadtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import dev.loomgate.loadtests.BaselineComparison.Verdict;
import org.junit.jupiter.api.Test;

/** The current/baseline ratio and its noise verdict, on made-up round figures. */
class BaselineComparisonTest {

    private static BaselineComparison rps(List<Double> current, List<Double> baseline) {
        return BaselineComparison.of("req/s", true, current, baseline);
    }

    @Test
    void ratioIsTheMedianOfThePerRoundRatios() {
        BaselineComparison c = rps(List.of(100.0, 220.0, 90.0), List.of(100.0, 200.0, 100.0));
        assertEquals(List.of(1.0, 1.1, 0.9), c.perRoundRatios().stream().map(v -> Math.round(v * 1000) / 1000.0).toList());
        assertEquals(1.0, c.ratio(), 1e-9);
        assertEquals(0.9, c.minRatio(), 1e-9);
        assertEquals(1.1, c.maxRatio(), 1e-9);
    }

    @Test
    void perRoundRatiosStraddlingOneAreNoise() {
        BaselineComparison c = rps(List.of(98.0, 103.0, 100.0), List.of(100.0, 100.0, 100.0));
        assertEquals(Verdict.WITHIN_NOISE, c.verdict());
        assertEquals("within the noise of the rounds", c.verdictText());
    }

    @Test
    void consistentLossSmallerThanTheRoundsSpreadIsNoise() {
        // every round 2% slower, but each gateway's own rounds differ by 10%: not a finding
        BaselineComparison c = rps(List.of(98.0, 107.8, 102.9), List.of(100.0, 110.0, 105.0));
        assertTrue(c.maxRatio() < 1.0);
        assertEquals(0.0952, c.spread(), 1e-3);
        assertEquals(Verdict.WITHIN_NOISE, c.verdict());
    }

    @Test
    void consistentLossBeyondTheSpreadIsARegression() {
        BaselineComparison c = rps(List.of(90.0, 91.0, 89.0), List.of(100.0, 101.0, 99.0));
        assertEquals(Verdict.WORSE, c.verdict());
        assertEquals(2.0 / 90, c.spread(), 1e-9, "the larger of the two gateways' spreads");
        assertEquals(0.9, c.ratio(), 1e-3);
        assertTrue(c.verdictText().startsWith("10.0% lower, beyond the noise: REGRESSION"), c.verdictText());
    }

    @Test
    void consistentGainBeyondTheSpreadIsBetter() {
        BaselineComparison c = rps(List.of(110.0, 111.0), List.of(100.0, 100.0));
        assertEquals(Verdict.BETTER, c.verdict());
        assertTrue(c.verdictText().endsWith("higher, beyond the noise: better"), c.verdictText());
    }

    @Test
    void forCostsLowerIsBetter() {
        BaselineComparison more = BaselineComparison.of("CPU us/req", false, List.of(40.0, 40.5), List.of(35.0, 35.2));
        assertEquals(Verdict.WORSE, more.verdict(), "more CPU per request than the baseline is a regression");
        BaselineComparison less = BaselineComparison.of("CPU us/req", false, List.of(30.0, 30.2), List.of(35.0, 35.2));
        assertEquals(Verdict.BETTER, less.verdict());
    }

    @Test
    void oneRoundCannotJudgeTheNoise() {
        BaselineComparison c = rps(List.of(50.0), List.of(100.0));
        assertEquals(Verdict.UNDETERMINED, c.verdict());
        assertEquals(0.5, c.ratio(), 1e-9);
        assertTrue(c.verdictText().contains("--rounds"), c.verdictText());
    }

    @Test
    void lineAndJsonCarryTheFigures() {
        BaselineComparison c = rps(List.of(90.0, 91.0, 89.0), List.of(100.0, 101.0, 99.0));
        assertEquals("0.900 (per round 0.900 / 0.901 / 0.899; min..max 0.899..0.901; rounds' own spread 2.2%): "
                + "10.0% lower, beyond the noise: REGRESSION", c.line());
        assertTrue(c.json().contains("\"verdict\": \"worse\""), c.json());
        assertTrue(c.json().contains("\"ratio\": 0.9000"), c.json());
    }

    @Test
    void roundsMustPairUp() {
        assertThrows(IllegalArgumentException.class, () -> rps(List.of(1.0, 2.0), List.of(1.0)));
        assertThrows(IllegalArgumentException.class, () -> rps(List.of(), List.of()));
    }
}
