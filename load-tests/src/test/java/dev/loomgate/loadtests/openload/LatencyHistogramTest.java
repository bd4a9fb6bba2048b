package dev.loomgate.loadtests.openload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void exactBelow1024Micros() {
        LatencyHistogram h = new LatencyHistogram();
        for (int v = 1; v <= 1000; v++) {
            h.record(v);
        }
        assertEquals(1000, h.count());
        assertEquals(500, h.percentile(0.5));
        assertEquals(990, h.percentile(0.99));
        assertEquals(999, h.percentile(0.999));
        assertEquals(1000, h.percentile(1.0));
        assertEquals(1000, h.maxMicros());
    }

    @Test
    void largeValuesAreNeverUnderstatedAndWithinAFifthOfAPercent() {
        for (long v : new long[] {1024, 1500, 4097, 123_456, 2_000_000, 59_999_999, 1L << 40}) {
            LatencyHistogram h = new LatencyHistogram();
            h.record(v);
            h.record(1);
            assertEquals(0, new LatencyHistogram().percentile(0.5), "empty histogram");
            long bound = LatencyHistogram.upperBound(LatencyHistogram.index(v));
            assertTrue(bound >= v, v + " -> bucket bound " + bound);
            if (v < 1L << 40) {
                assertTrue(bound <= v * 1.002 + 1, v + " -> bucket bound " + bound);
            }
            assertEquals(v, h.percentile(1.0));
            assertEquals(1, h.percentile(0.5));
        }
    }

    @Test
    void aTailShowsInTheHighPercentilesOnly() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 990; i++) {
            h.record(200);
        }
        for (int i = 0; i < 10; i++) {
            h.record(50_000);
        }
        assertEquals(200, h.percentile(0.5));
        assertEquals(200, h.percentile(0.99));
        long p999 = h.percentile(0.999);
        assertTrue(p999 >= 50_000 && p999 <= 50_100, "p99.9 " + p999);
    }

    @Test
    void negativeValuesCountAsZeroAndBadSharesAreRejected() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(-5);
        assertEquals(0, h.percentile(1.0));
        assertThrows(IllegalArgumentException.class, () -> h.percentile(0));
        assertThrows(IllegalArgumentException.class, () -> h.percentile(1.5));
    }
}
