package dev.loomgate.chaos.cluster;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The option parser and the figures of {@code chaos aot-startup} (the run itself is a benchmark, not a test). */
class AotStartupBenchTest {

    @Test
    void options() {
        assertEquals(Optional.of(5), AotStartupBench.rounds(new String[0]));
        assertEquals(Optional.of(3), AotStartupBench.rounds(new String[] {"--rounds", "3"}));
        assertEquals(Optional.empty(), AotStartupBench.rounds(new String[] {"--help"}));
        assertThrows(IllegalArgumentException.class, () -> AotStartupBench.rounds(new String[] {"--rounds"}));
        assertThrows(IllegalArgumentException.class, () -> AotStartupBench.rounds(new String[] {"--rounds", "x"}));
        assertThrows(IllegalArgumentException.class, () -> AotStartupBench.rounds(new String[] {"--rounds", "0"}));
        assertThrows(IllegalArgumentException.class, () -> AotStartupBench.rounds(new String[] {"--fast"}));
    }

    @Test
    void percentilesAndMedians() {
        double[] ms = new double[100];
        for (int i = 0; i < 100; i++) {
            ms[i] = i + 1;
        }
        AotStartupBench.Start s = new AotStartupBench.Start(true, 500, ms);
        assertEquals(50, s.percentile(0.5));
        assertEquals(99, s.percentile(0.99));
        assertEquals(100, s.percentile(1.0));
        assertEquals(2, AotStartupBench.median(new double[] {3, 1, 2}));
        assertEquals(2.5, AotStartupBench.median(new double[] {4, 1, 2, 3}));
        assertTrue(Double.isNaN(AotStartupBench.median(new double[0])));
    }

    @Test
    void theSummaryGivesMediansPerModeAndRatios() {
        List<AotStartupBench.Start> starts = List.of(
                new AotStartupBench.Start(false, 1000, new double[] {10, 20}),
                new AotStartupBench.Start(true, 500, new double[] {5, 10}),
                new AotStartupBench.Start(false, 1200, new double[] {10, 40}),
                new AotStartupBench.Start(true, 700, new double[] {5, 20}));
        String summary = AotStartupBench.summary(starts);
        assertTrue(summary.contains("median of 2 starts each"), summary);
        assertTrue(summary.contains("no AOT  first request   1100 ms"), summary);
        assertTrue(summary.contains("AOT     first request    600 ms"), summary);
        assertTrue(summary.contains("AOT/no AOT: first request 0.55"), summary);
        assertTrue(summary.contains("max 0.50"), summary);
    }
}
