package dev.loomgate.gateway.upstream;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One endpoint's peak-sensitive moving average of try latency (Finagle's {@code PeakEwma}, as Linkerd
 * and APISIX {@code ewma} use): a latency above the average replaces it at once (the peak), a lower
 * one is blended in with weight {@code 1 - e^(-Δt/τ)}, Δt being the time since the last
 * observation and τ the decay time. Read, the average decays towards zero with the time since the
 * last observation, so an endpoint that was slow and is no longer picked gets probed again after
 * about {@code τ × ln(slow/fast)}.
 *
 * <p>Lock-free and allocation-free: the estimate (a float, nanoseconds, its lowest 8 mantissa bits
 * dropped: 15 bits of precision are plenty for a latency) and the time of the last observation
 * (microseconds since {@link #ORIGIN}, 41 bits; differences are taken modulo 2^41, so a gap
 * between observations over 12 days may read as shorter) are packed in one {@code long} and
 * updated by compare-and-set, so an observation
 * never pairs the estimate of one update with the time of another.
 */
public final class PeakEwma {
    /** Time zero of the packed stamps (shared, so stamps of all endpoints compare). */
    private static final long ORIGIN = System.nanoTime();
    private static final int COST_BITS = 23;
    private static final long COST_MASK = (1L << COST_BITS) - 1;
    private static final long STAMP_MASK = (1L << (Long.SIZE - COST_BITS)) - 1;
    private static final int DROPPED_MANTISSA_BITS = Float.SIZE - 1 - COST_BITS;

    /** Packed {@code stampMicros << 23 | costBits}; 0 before the first observation (estimate 0). */
    private final AtomicLong state = new AtomicLong();

    /**
     * Blends in one try's latency.
     *
     * @param latencyNanos time from sending to the response head (or the failure)
     * @param nowNanos     {@link System#nanoTime()} at the end of the try
     * @param decayNanos   τ, the decay time (> 0)
     */
    public void record(long latencyNanos, long nowNanos, long decayNanos) {
        double rtt = Math.max(0, latencyNanos);
        long stamp = micros(nowNanos);
        for (; ; ) {
            long s = state.get();
            double cost = cost(s); // 0 before the first observation: any latency is then a peak
            long elapsed = elapsedMicros(stamp, s);
            // compared with the stored average, not the decayed one: a latency between the two is blended in
            double next = rtt > cost ? rtt : blend(cost, rtt, elapsed * 1000.0, decayNanos);
            long latest = elapsed == 0 && s != 0 ? stamp(s) : stamp; // the stamp only moves forward
            if (state.compareAndSet(s, pack(next, latest))) {
                return;
            }
        }
    }

    /**
     * The estimate at {@code nowNanos}: the average decayed by the time since the last observation;
     * 0 when nothing was observed yet.
     *
     * @param nowNanos   {@link System#nanoTime()} now
     * @param decayNanos τ, the decay time (> 0)
     */
    public double estimate(long nowNanos, long decayNanos) {
        long s = state.get();
        return cost(s) * Math.exp(-elapsedMicros(micros(nowNanos), s) * 1000.0 / decayNanos);
    }

    /**
     * Microseconds from the packed state's stamp to {@code stampMicros}; 0 when the state is later
     * (a concurrent try that ended after ours was read counts as no time passed).
     */
    private static long elapsedMicros(long stampMicros, long packed) {
        long elapsed = (stampMicros - stamp(packed)) & STAMP_MASK;
        return elapsed > STAMP_MASK / 2 ? 0 : elapsed;
    }

    /** {@code cost·w + rtt·(1−w)} with {@code w = e^(−elapsed/τ)}. */
    static double blend(double cost, double rtt, double elapsedNanos, double decayNanos) {
        double w = Math.exp(-elapsedNanos / decayNanos);
        return cost * w + rtt * (1 - w);
    }

    private static long micros(long nanos) {
        return Math.floorDiv(nanos - ORIGIN, 1000) & STAMP_MASK;
    }

    private static long pack(double cost, long stampMicros) {
        int bits = Float.floatToRawIntBits((float) cost) >>> DROPPED_MANTISSA_BITS;
        return (stampMicros & STAMP_MASK) << COST_BITS | (bits & COST_MASK);
    }

    private static double cost(long packed) {
        return Float.intBitsToFloat((int) ((packed & COST_MASK) << DROPPED_MANTISSA_BITS));
    }

    private static long stamp(long packed) {
        return packed >>> COST_BITS;
    }
}
