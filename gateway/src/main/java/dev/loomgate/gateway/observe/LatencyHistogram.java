package dev.loomgate.gateway.observe;

import java.util.concurrent.atomic.LongAdder;

/** A Prometheus-style cumulative histogram of durations, lock-free (one LongAdder per bucket). */
public final class LatencyHistogram {
    /** Upper bounds in seconds; chosen for a proxy: sub-millisecond to tens of seconds. */
    static final double[] BOUNDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    private static final long[] BOUNDS_NANOS = new long[BOUNDS.length];

    static {
        for (int i = 0; i < BOUNDS.length; i++) {
            BOUNDS_NANOS[i] = (long) (BOUNDS[i] * 1e9);
        }
    }

    private final LongAdder[] buckets = new LongAdder[BOUNDS.length + 1];
    private final LongAdder sumNanos = new LongAdder();

    public LatencyHistogram() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    public void record(long nanos) {
        int i = 0;
        while (i < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[i]) {
            i++;
        }
        buckets[i].increment();
        sumNanos.add(nanos);
    }

    /** Appends {@code name_bucket}, {@code name_sum} and {@code name_count} lines. */
    void writeTo(StringBuilder out, String name, String labels) {
        long cumulative = 0;
        String sep = labels.isEmpty() ? "" : labels + ",";
        for (int i = 0; i < BOUNDS.length; i++) {
            cumulative += buckets[i].sum();
            out.append(name).append("_bucket{").append(sep).append("le=\"").append(BOUNDS[i]).append("\"} ")
                    .append(cumulative).append('\n');
        }
        cumulative += buckets[BOUNDS.length].sum();
        out.append(name).append("_bucket{").append(sep).append("le=\"+Inf\"} ").append(cumulative).append('\n');
        String braces = labels.isEmpty() ? "" : "{" + labels + "}";
        out.append(name).append("_sum").append(braces).append(' ').append(sumNanos.sum() / 1e9).append('\n');
        out.append(name).append("_count").append(braces).append(' ').append(cumulative).append('\n');
    }

    public long count() {
        long c = 0;
        for (LongAdder b : buckets) {
            c += b.sum();
        }
        return c;
    }
}
