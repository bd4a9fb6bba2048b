package dev.loomgate.loadtests.openload;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies in microseconds, recorded without locks from many threads: exact below 1,024 us, then 512
 * sub-buckets per power of two (at most 0.2 % relative error), up to about 2^40 us. Percentiles report a
 * bucket's upper bound, so they never understate.
 */
public final class LatencyHistogram {
    private static final int LINEAR = 1024;
    private static final int SUB = 512;
    private static final int SHIFTS = 31;
    private final AtomicLongArray counts = new AtomicLongArray(LINEAR + SHIFTS * SUB);
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong max = new AtomicLong();

    public void record(long micros) {
        long v = Math.max(0, micros);
        counts.incrementAndGet(index(v));
        total.incrementAndGet();
        max.accumulateAndGet(v, Math::max);
    }

    public long count() {
        return total.get();
    }

    public long maxMicros() {
        return max.get();
    }

    /**
     * The smallest recorded-bucket upper bound at or below which a share {@code q} (0 < q <= 1) of the values lie;
     * 0 when nothing was recorded.
     */
    public long percentile(double q) {
        if (q <= 0 || q > 1) {
            throw new IllegalArgumentException("percentile share must be in (0, 1], got " + q);
        }
        long n = total.get();
        if (n == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * n);
        long seen = 0;
        for (int i = 0; i < counts.length(); i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return Math.min(upperBound(i), max.get());
            }
        }
        return max.get();
    }

    static int index(long v) {
        if (v < LINEAR) {
            return (int) v;
        }
        int shift = 63 - Long.numberOfLeadingZeros(v) - 9; // v >> shift lies in [512, 1023]
        if (shift > SHIFTS) {
            return LINEAR + SHIFTS * SUB - 1;
        }
        return LINEAR + (shift - 1) * SUB + (int) ((v >> shift) - SUB);
    }

    static long upperBound(int index) {
        if (index < LINEAR) {
            return index;
        }
        int k = index - LINEAR;
        int shift = k / SUB + 1;
        long sub = k % SUB + SUB;
        return ((sub + 1) << shift) - 1;
    }
}
