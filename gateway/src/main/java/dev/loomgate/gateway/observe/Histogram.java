package dev.loomgate.gateway.observe;

import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's one histogram: Prometheus-style cumulative buckets of durations, lock-free (one
 * LongAdder per bucket). Recording is a bucket search and two adds; the labels of its lines are
 * rendered once, when the histogram is created, not per record or per scrape.
 */
public final class Histogram {
    /** Upper bounds in seconds for request latencies: sub-millisecond to tens of seconds. */
    public static final double[] LATENCY_SECONDS =
            {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    private final long[] boundsNanos;
    // "{labels,le=\"0.001\"} " for each bucket, the +Inf bucket last, and "{labels} " for _sum/_count
    private final String[] bucketLabels;
    private final String plainLabels;
    private final LongAdder[] buckets;
    private final LongAdder sumNanos = new LongAdder();

    /**
     * @param boundsSeconds ascending upper bounds in seconds (a +Inf bucket is added)
     * @param labels        rendered label pairs such as {@code route="a"}, or empty
     */
    public Histogram(double[] boundsSeconds, String labels) {
        boundsNanos = new long[boundsSeconds.length];
        bucketLabels = new String[boundsSeconds.length + 1];
        String sep = labels.isEmpty() ? "" : labels + ",";
        for (int i = 0; i < boundsSeconds.length; i++) {
            if (i > 0 && boundsSeconds[i] <= boundsSeconds[i - 1]) {
                throw new IllegalArgumentException("histogram bounds must ascend");
            }
            boundsNanos[i] = (long) (boundsSeconds[i] * 1e9);
            bucketLabels[i] = "{" + sep + "le=\"" + boundsSeconds[i] + "\"} ";
        }
        bucketLabels[boundsSeconds.length] = "{" + sep + "le=\"+Inf\"} ";
        plainLabels = labels.isEmpty() ? " " : "{" + labels + "} ";
        buckets = new LongAdder[boundsSeconds.length + 1];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /** A latency histogram ({@link #LATENCY_SECONDS}) with the given rendered labels. */
    public static Histogram latency(String labels) {
        return new Histogram(LATENCY_SECONDS, labels);
    }

    public void record(long nanos) {
        int i = 0;
        while (i < boundsNanos.length && nanos > boundsNanos[i]) {
            i++;
        }
        buckets[i].increment();
        sumNanos.add(nanos);
    }

    /** Appends {@code name_bucket}, {@code name_sum} and {@code name_count} lines. */
    public void writeTo(PrometheusText p, String name) {
        StringBuilder out = p.out();
        long cumulative = 0;
        for (int i = 0; i < buckets.length; i++) {
            cumulative += buckets[i].sum();
            out.append(name).append("_bucket").append(bucketLabels[i]).append(cumulative).append('\n');
        }
        out.append(name).append("_sum").append(plainLabels).append(sumNanos.sum() / 1e9).append('\n');
        out.append(name).append("_count").append(plainLabels).append(cumulative).append('\n');
    }

    /** The count of each bucket (not cumulative), the +Inf bucket last. */
    public long[] bucketCounts() {
        long[] counts = new long[buckets.length];
        for (int i = 0; i < buckets.length; i++) {
            counts[i] = buckets[i].sum();
        }
        return counts;
    }

    /** The bucket upper bounds in seconds (without +Inf). */
    public double[] boundsSeconds() {
        double[] bounds = new double[boundsNanos.length];
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = boundsNanos[i] / 1e9;
        }
        return bounds;
    }

    public long count() {
        long c = 0;
        for (LongAdder b : buckets) {
            c += b.sum();
        }
        return c;
    }
}
