package dev.loomgate.gateway.observe;

import java.util.concurrent.atomic.LongAdder;

/**
 * Request counts by status class and a latency histogram for one route or one upstream: the
 * per-route (per-upstream) metrics handle. Its labels are rendered once, when it is created.
 */
public final class TrafficStats {
    private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    private final LongAdder[] byClass = new LongAdder[CLASSES.length];
    private final String[] countLabels = new String[CLASSES.length];
    private final Histogram latency;

    /** @param labels the rendered label pair that names this route or upstream, e.g. {@code route="a"} */
    TrafficStats(String labels) {
        for (int i = 0; i < byClass.length; i++) {
            byClass[i] = new LongAdder();
            countLabels[i] = "{" + labels + ",code=\"" + CLASSES[i] + "\"} ";
        }
        latency = Histogram.latency(labels);
    }

    public void record(int status, long nanos) {
        int c = status / 100 - 1;
        if (c >= 0 && c < byClass.length) {
            byClass[c].increment();
        }
        latency.record(nanos);
    }

    public long count(int statusClass) {
        return byClass[statusClass - 1].sum();
    }

    void writeCounts(PrometheusText p, String name) {
        for (int i = 0; i < CLASSES.length; i++) {
            long v = byClass[i].sum();
            if (v > 0) {
                p.out().append(name).append(countLabels[i]).append(v).append('\n');
            }
        }
    }

    /** The latency histogram (read by the stats ring buffer and the scrape). */
    public Histogram latency() {
        return latency;
    }
}
