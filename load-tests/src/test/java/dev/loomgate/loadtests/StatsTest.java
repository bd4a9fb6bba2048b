package dev.loomgate.loadtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void medianOfOddAndEvenCountsUnsorted() {
        assertEquals(2.0, Stats.median(List.of(3.0, 1.0, 2.0)));
        assertEquals(2.5, Stats.median(List.of(4.0, 1.0, 3.0, 2.0)));
        assertTrue(Double.isNaN(Stats.median(List.of())));
    }

    @Test
    void nearestRankPercentile() {
        List<Double> hundred = new java.util.ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            hundred.add((double) i);
        }
        assertEquals(50.0, Stats.percentile(hundred, 0.50));
        assertEquals(99.0, Stats.percentile(hundred, 0.99));
        assertEquals(5.0, Stats.percentile(List.of(1.0, 2.0, 3.0, 4.0, 5.0), 0.99));
        assertEquals(1.0, Stats.percentile(List.of(1.0, 2.0), 0.0));
        assertTrue(Double.isNaN(Stats.percentile(List.of(), 0.5)));
    }
}
