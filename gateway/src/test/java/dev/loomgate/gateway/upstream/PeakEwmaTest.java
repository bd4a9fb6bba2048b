package dev.loomgate.gateway.upstream;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The moving average's math, with explicit clock values. */
class PeakEwmaTest {
    private static final long MS = 1_000_000;
    private static final long TAU = 10_000 * MS;
    /** Relative error of the packed 15-bit mantissa (truncation), with margin. */
    private static final double PRECISION = 1e-4;

    private static void assertNear(double expected, double actual) {
        assertEquals(expected, actual, Math.abs(expected) * PRECISION + 1e-9, "estimate");
    }

    @Test
    void nothingObservedIsZero() {
        assertEquals(0, new PeakEwma().estimate(System.nanoTime(), TAU));
    }

    @Test
    void theFirstObservationIsTheEstimate() {
        PeakEwma e = new PeakEwma();
        long t = System.nanoTime();
        e.record(5 * MS, t, TAU);
        assertNear(5 * MS, e.estimate(t, TAU));
    }

    @Test
    void aPeakReplacesTheAverageAtOnce() {
        PeakEwma e = new PeakEwma();
        long t = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            e.record(MS, t + i * MS, TAU);
        }
        e.record(50 * MS, t + 100 * MS, TAU);
        assertNear(50 * MS, e.estimate(t + 100 * MS, TAU));
    }

    @Test
    void aLowerLatencyIsBlendedByTheTimeSinceTheLastObservation() {
        PeakEwma e = new PeakEwma();
        long t = System.nanoTime();
        e.record(50 * MS, t, TAU);
        // one τ later: w = 1/e, so 50·(1/e) + 1·(1 − 1/e)
        e.record(MS, t + TAU, TAU);
        double w = Math.exp(-1);
        assertNear(50 * MS * w + MS * (1 - w), e.estimate(t + TAU, TAU));
        // a burst of fast answers right after moves it by little (weight 1 − e^(−1µs/τ) each)
        double before = e.estimate(t + TAU, TAU);
        e.record(MS, t + TAU + 1000, TAU);
        assertTrue(before - e.estimate(t + TAU + 1000, TAU) < 0.001 * before);
    }

    @Test
    void readingDecaysTowardsZeroWithoutWriting() {
        PeakEwma e = new PeakEwma();
        long t = System.nanoTime();
        e.record(50 * MS, t, TAU);
        assertNear(50 * MS * Math.exp(-1), e.estimate(t + TAU, TAU));
        assertNear(50 * MS * Math.exp(-2), e.estimate(t + 2 * TAU, TAU));
        // reading did not move the stamp: an observation still blends over the whole gap
        e.record(MS, t + 2 * TAU, TAU);
        double w = Math.exp(-2);
        assertNear(50 * MS * w + MS * (1 - w), e.estimate(t + 2 * TAU, TAU));
    }

    @Test
    void aReadBeforeTheLastObservationCountsNoDecay() {
        PeakEwma e = new PeakEwma();
        long t = System.nanoTime();
        e.record(8 * MS, t, TAU);
        assertNear(8 * MS, e.estimate(t - 5 * MS, TAU));
        // a try that ended earlier than the recorded one blends with no decay and keeps the later stamp
        e.record(2 * MS, t - 5 * MS, TAU);
        assertNear(8 * MS, e.estimate(t, TAU));
        assertNear(8 * MS * Math.exp(-1), e.estimate(t + TAU, TAU));
    }

    @Test
    void blendIsTheWeightedMean() {
        assertEquals(10.0, PeakEwma.blend(10, 0, 0, 1), 1e-12);
        assertEquals(3.0, PeakEwma.blend(10, 3, 1e12, 1), 1e-9);
        assertEquals(10 * Math.exp(-0.5) + 2 * (1 - Math.exp(-0.5)), PeakEwma.blend(10, 2, 0.5, 1), 1e-12);
    }

    @Test
    void concurrentRecordsStayWithinTheObservedRange() throws InterruptedException {
        PeakEwma e = new PeakEwma();
        int threads = 16;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            long latency = (i % 2 == 0 ? 2 : 4) * MS;
            all.add(Thread.ofVirtual().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int k = 0; k < 20_000; k++) {
                    long now = System.nanoTime();
                    e.record(latency, now, TAU);
                }
            }));
        }
        start.countDown();
        for (Thread t : all) {
            t.join();
        }
        double estimate = e.estimate(System.nanoTime(), TAU);
        // a 4 ms peak was seen, and since then only 2 and 4 ms within a fraction of τ: between the two
        assertTrue(estimate >= 2 * MS * (1 - PRECISION) && estimate <= 4 * MS * (1 + PRECISION), "estimate " + estimate);
    }
}
