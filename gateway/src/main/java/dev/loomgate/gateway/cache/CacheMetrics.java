package dev.loomgate.gateway.cache;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.loomgate.gateway.observe.PrometheusText;

/** The cache's counters, per route where it matters; written to the node's Prometheus registry. */
public final class CacheMetrics {
    /** How a request was answered; the label value of loomgate_cache_requests_total and the X-Cache header. */
    public enum Result {
        HIT, MISS, STALE, STALE_IF_ERROR, COLLAPSED, BYPASS, UNCACHEABLE;

        public String header() {
            return name().replace('_', '-');
        }
    }

    /** One route's counters. */
    public static final class RouteCounters {
        private final LongAdder[] results = new LongAdder[Result.values().length];
        final LongAdder stored = new LongAdder();
        final LongAdder servedBytes = new LongAdder();

        RouteCounters() {
            for (int i = 0; i < results.length; i++) {
                results[i] = new LongAdder();
            }
        }

        public long count(Result r) {
            return results[r.ordinal()].sum();
        }

        public long stored() {
            return stored.sum();
        }
    }

    private final ConcurrentHashMap<String, RouteCounters> routes = new ConcurrentHashMap<>();
    final LongAdder evictions = new LongAdder();
    final LongAdder storedBytes = new LongAdder();
    final LongAdder l2Errors = new LongAdder();
    final LongAdder l2Reads = new LongAdder();
    final LongAdder flushes = new LongAdder();
    final LongAdder tooLarge = new LongAdder();

    public RouteCounters route(String routeId) {
        return routes.computeIfAbsent(routeId, r -> new RouteCounters());
    }

    public void record(String routeId, Result result, long bytes) {
        RouteCounters c = route(routeId);
        c.results[result.ordinal()].increment();
        c.servedBytes.add(bytes);
    }

    public void tooLarge() {
        tooLarge.increment();
    }

    /** L2 reads so far: an L1 hit adds none (the hit benchmark checks it). */
    public long l2Reads() {
        return l2Reads.sum();
    }

    public long l2Errors() {
        return l2Errors.sum();
    }

    public long flushes() {
        return flushes.sum();
    }

    void write(PrometheusText p, long entries, long bytes, Invalidations inv) {
        p.help("loomgate_cache_requests_total", "counter", "Requests on cached routes by result (X-Cache value).");
        for (Map.Entry<String, RouteCounters> e : routes.entrySet()) {
            for (Result r : Result.values()) {
                p.sample("loomgate_cache_requests_total", "route=\"" + PrometheusText.escape(e.getKey())
                        + "\",result=\"" + r.name().toLowerCase() + "\"", e.getValue().count(r));
            }
        }
        p.help("loomgate_cache_served_bytes_total", "counter", "Body bytes sent from the cache, per route.");
        for (Map.Entry<String, RouteCounters> e : routes.entrySet()) {
            p.sample("loomgate_cache_served_bytes_total", "route=\"" + PrometheusText.escape(e.getKey()) + "\"",
                    e.getValue().servedBytes.sum());
        }
        p.help("loomgate_cache_stored_bytes_total", "counter", "Body bytes stored.");
        p.sample("loomgate_cache_stored_bytes_total", "", storedBytes.sum());
        p.help("loomgate_cache_l1_entries", "gauge", "Entries in this node's L1 (specs and responses).");
        p.sample("loomgate_cache_l1_entries", "", entries);
        p.help("loomgate_cache_l1_bytes", "gauge", "Weighed bytes in this node's L1.");
        p.sample("loomgate_cache_l1_bytes", "", bytes);
        p.help("loomgate_cache_l1_evictions_total", "counter", "L1 entries evicted for space.");
        p.sample("loomgate_cache_l1_evictions_total", "", evictions.sum());
        p.help("loomgate_cache_l1_flushes_total", "counter", "Whole-L1 flushes (Redis connection lost or regained).");
        p.sample("loomgate_cache_l1_flushes_total", "", flushes.sum());
        p.help("loomgate_cache_l2_errors_total", "counter", "Redis operations of the cache that failed (L1 only meanwhile).");
        p.sample("loomgate_cache_l2_errors_total", "", l2Errors.sum());
        p.help("loomgate_cache_l2_reads_total", "counter", "Redis reads of the cache (an L1 hit makes none).");
        p.sample("loomgate_cache_l2_reads_total", "", l2Reads.sum());
        p.help("loomgate_cache_too_large_total", "counter", "Responses streamed through uncached for their size.");
        p.sample("loomgate_cache_too_large_total", "", tooLarge.sum());
        p.help("loomgate_cache_invalidations_received_total", "counter", "Invalidation messages received.");
        p.sample("loomgate_cache_invalidations_received_total", "", inv.received.sum());
        p.help("loomgate_cache_purge_lag_seconds_sum", "counter", "Sum of sent-to-received lag of invalidation messages.");
        p.sample("loomgate_cache_purge_lag_seconds_sum", "", inv.lagMillisSum.sum() / 1000.0);
        p.help("loomgate_cache_purge_lag_seconds_max", "gauge", "Largest invalidation lag seen.");
        p.sample("loomgate_cache_purge_lag_seconds_max", "", inv.lagMillisMax.get() / 1000.0);
        p.help("loomgate_cache_subscription_up", "gauge", "1 while the invalidation subscription is connected.");
        p.sample("loomgate_cache_subscription_up", "", inv.connected() ? 1 : 0);
    }
}
