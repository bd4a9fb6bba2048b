package dev.loomgate.chaos.report;

import dev.loomgate.chaos.load.RequestRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Requests bucketed by their start time (default 100 ms): rates, failures, latency percentiles and which node
 * served them. Bucketing by start time means a request in flight at a kill is counted just before the fault line.
 *
 * @param originMillis first bucket start (epoch ms)
 * @param bucketMillis bucket width
 * @param nodes        node names seen, sorted, with {@link #NO_NODE} last when present
 * @param buckets      consecutive buckets from the origin
 */
public record Timeline(long originMillis, long bucketMillis, List<String> nodes, List<Bucket> buckets) {

    /** Node key for requests that got no node header (transport errors, dropped, or a node that did not answer). */
    public static final String NO_NODE = "(none)";
    public static final long DEFAULT_BUCKET_MILLIS = 100;

    public Timeline {
        nodes = List.copyOf(nodes);
        buckets = List.copyOf(buckets);
    }

    /**
     * One bucket.
     *
     * @param startMillis bucket start (epoch ms)
     * @param requests    requests started in it (dropped ones included)
     * @param succeeded   1xx-3xx
     * @param failed      5xx and transport errors
     * @param rejected    4xx (e.g. 429)
     * @param dropped     not sent: in-flight cap
     * @param p50Millis   median latency of requests that got a status, NaN if none
     * @param p99Millis   99th percentile latency, NaN if none
     * @param perNode     requests per node (key {@link #NO_NODE} for no node header)
     */
    public record Bucket(long startMillis, int requests, int succeeded, int failed, int rejected, int dropped,
                         double p50Millis, double p99Millis, Map<String, Integer> perNode) {
        public Bucket {
            perNode = Map.copyOf(perNode);
        }

        public double requestsPerSecond(long bucketMillis) {
            return requests * 1000.0 / bucketMillis;
        }

        public double failedPerSecond(long bucketMillis) {
            return failed * 1000.0 / bucketMillis;
        }

        public double rejectedPerSecond(long bucketMillis) {
            return rejected * 1000.0 / bucketMillis;
        }

        public boolean hasLatency() {
            return !Double.isNaN(p50Millis);
        }
    }

    public static Timeline of(List<RequestRecord> records, List<FaultEvent> faults) {
        return of(records, faults, DEFAULT_BUCKET_MILLIS);
    }

    public static Timeline of(List<RequestRecord> records, List<FaultEvent> faults, long bucketMillis) {
        if (bucketMillis <= 0) {
            throw new IllegalArgumentException("bucket width must be > 0 ms, was " + bucketMillis);
        }
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (RequestRecord r : records) {
            first = Math.min(first, r.startMillis());
            last = Math.max(last, r.startMillis());
        }
        for (FaultEvent f : faults) {
            first = Math.min(first, f.startMillis());
            last = Math.max(last, f.endMillis());
        }
        if (first == Long.MAX_VALUE) {
            return new Timeline(0, bucketMillis, List.of(), List.of());
        }
        long origin = Math.floorDiv(first, bucketMillis) * bucketMillis;
        int count = (int) ((last - origin) / bucketMillis) + 1;
        List<List<RequestRecord>> slots = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            slots.add(new ArrayList<>());
        }
        TreeSet<String> nodes = new TreeSet<>();
        boolean noNode = false;
        for (RequestRecord r : records) {
            slots.get((int) ((r.startMillis() - origin) / bucketMillis)).add(r);
            if (r.node().isPresent()) {
                nodes.add(r.node().get());
            } else {
                noNode = true;
            }
        }
        List<String> nodeList = new ArrayList<>(nodes);
        if (noNode) {
            nodeList.add(NO_NODE);
        }
        List<Bucket> buckets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            buckets.add(bucket(origin + i * bucketMillis, slots.get(i)));
        }
        return new Timeline(origin, bucketMillis, nodeList, buckets);
    }

    private static Bucket bucket(long start, List<RequestRecord> in) {
        int succeeded = 0;
        int failed = 0;
        int rejected = 0;
        int dropped = 0;
        double[] latencies = new double[in.size()];
        int n = 0;
        Map<String, Integer> perNode = new TreeMap<>();
        for (RequestRecord r : in) {
            if (r.succeeded()) {
                succeeded++;
            } else if (r.rejected()) {
                rejected++;
            } else if (r.dropped()) {
                dropped++;
            } else {
                failed++;
            }
            if (r.status() > 0) {
                latencies[n++] = r.latencyMillis();
            }
            perNode.merge(r.node().orElse(NO_NODE), 1, Integer::sum);
        }
        double p50 = Percentiles.of(latencies, n, 0.50);
        double p99 = Percentiles.of(latencies, n, 0.99);
        return new Bucket(start, in.size(), succeeded, failed, rejected, dropped, p50, p99, perNode);
    }

    public long endMillis() {
        return originMillis + (long) buckets.size() * bucketMillis;
    }
}
