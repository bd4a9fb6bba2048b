package dev.loomgate.gateway.observe;

import java.util.concurrent.atomic.LongAdder;

/** Request counts by status class and a latency histogram for one route or one upstream. */
public final class TrafficStats {
    private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    private final LongAdder[] byClass = new LongAdder[CLASSES.length];
    private final LatencyHistogram latency = new LatencyHistogram();

    TrafficStats() {
        for (int i = 0; i < byClass.length; i++) {
            byClass[i] = new LongAdder();
        }
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

    void writeCounts(StringBuilder out, String name, String labels) {
        for (int i = 0; i < CLASSES.length; i++) {
            long v = byClass[i].sum();
            if (v > 0) {
                out.append(name).append('{').append(labels).append(",code=\"").append(CLASSES[i]).append("\"} ")
                        .append(v).append('\n');
            }
        }
    }

    LatencyHistogram latency() {
        return latency;
    }
}
