package dev.loomgate.chaos.report;

import dev.loomgate.chaos.load.RequestRecord;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Totals over a scenario's records.
 *
 * @param byKind    requests per kind label
 * @param failedByKind failed requests per kind label
 * @param byNode    requests per node header value ({@link Timeline#NO_NODE} for none)
 * @param byLb      requests per LB header value
 * @param byOutcome requests per status code or error class label
 */
public record RecordsSummary(long total, long succeeded, long failed, long rejected, long dropped,
                             long newConnections, long staleRetried,
                             double p50Millis, double p99Millis, double maxMillis,
                             long firstStartMillis, long lastEndMillis,
                             Map<String, Long> byKind, Map<String, Long> failedByKind, Map<String, Long> byNode,
                             Map<String, Long> byLb, Map<String, Long> byOutcome) {

    public RecordsSummary {
        byKind = Map.copyOf(byKind);
        failedByKind = Map.copyOf(failedByKind);
        byNode = Map.copyOf(byNode);
        byLb = Map.copyOf(byLb);
        byOutcome = Map.copyOf(byOutcome);
    }

    public static RecordsSummary of(List<RequestRecord> records) {
        long succeeded = 0;
        long failed = 0;
        long rejected = 0;
        long dropped = 0;
        long fresh = 0;
        long stale = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        double[] latencies = new double[records.size()];
        int n = 0;
        Map<String, Long> byKind = new TreeMap<>();
        Map<String, Long> failedByKind = new TreeMap<>();
        Map<String, Long> byNode = new TreeMap<>();
        Map<String, Long> byLb = new TreeMap<>();
        Map<String, Long> byOutcome = new TreeMap<>();
        for (RequestRecord r : records) {
            if (r.succeeded()) {
                succeeded++;
            } else if (r.rejected()) {
                rejected++;
            } else if (r.dropped()) {
                dropped++;
            } else {
                failed++;
                failedByKind.merge(r.kind().label(), 1L, Long::sum);
            }
            fresh += r.newConnection() ? 1 : 0;
            stale += r.staleRetried() ? 1 : 0;
            first = Math.min(first, r.startMillis());
            last = Math.max(last, r.endMillis());
            if (r.status() > 0) {
                latencies[n++] = r.latencyMillis();
            }
            byKind.merge(r.kind().label(), 1L, Long::sum);
            byNode.merge(r.node().orElse(Timeline.NO_NODE), 1L, Long::sum);
            r.lb().ifPresent(lb -> byLb.merge(lb, 1L, Long::sum));
            byOutcome.merge(r.outcome(), 1L, Long::sum);
        }
        double p50 = Percentiles.of(latencies, n, 0.50);
        double p99 = Percentiles.of(latencies, n, 0.99);
        double max = n == 0 ? Double.NaN : latencies[n - 1];
        return new RecordsSummary(records.size(), succeeded, failed, rejected, dropped, fresh, stale, p50, p99, max,
                records.isEmpty() ? 0 : first, records.isEmpty() ? 0 : last,
                byKind, failedByKind, byNode, byLb, byOutcome);
    }
}
