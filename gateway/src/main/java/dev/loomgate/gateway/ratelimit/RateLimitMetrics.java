package dev.loomgate.gateway.ratelimit;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one {@link RateLimiter}, read with plain getters (to be exported as Prometheus text by /metrics).
 * All counters only grow; the histogram is non-cumulative per bucket plus a cumulative view.
 */
public final class RateLimitMetrics {
    /** Upper bounds (inclusive, microseconds) of the Redis latency histogram buckets; a last bucket is +Inf. */
    private static final long[] LATENCY_BOUNDS_MICROS = {100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000,
            100_000};

    private final ConcurrentHashMap<String, LongAdder> allowed = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> limited = new ConcurrentHashMap<>();
    private final LongAdder fallbackAllowed = new LongAdder();
    private final LongAdder fallbackLimited = new LongAdder();
    private final LongAdder redisErrors = new LongAdder();
    private final LongAdder redisSlowCalls = new LongAdder();
    private final LongAdder breakerOpenings = new LongAdder();
    private final LongAdder[] latencyBuckets = new LongAdder[LATENCY_BOUNDS_MICROS.length + 1];
    private final LongAdder latencySumMicros = new LongAdder();
    private volatile boolean degraded;

    public RateLimitMetrics() {
        for (int i = 0; i < latencyBuckets.length; i++) {
            latencyBuckets[i] = new LongAdder();
        }
    }

    void recordDecision(String policyId, RateLimitDecision decision) {
        (decision.allowed() ? allowed : limited).computeIfAbsent(policyId, k -> new LongAdder()).increment();
        if (decision.degraded()) {
            (decision.allowed() ? fallbackAllowed : fallbackLimited).increment();
        }
    }

    void recordRedisCall(long nanos, boolean failed, boolean slow) {
        long micros = nanos / 1_000;
        int i = 0;
        while (i < LATENCY_BOUNDS_MICROS.length && micros > LATENCY_BOUNDS_MICROS[i]) {
            i++;
        }
        latencyBuckets[i].increment();
        latencySumMicros.add(micros);
        if (failed) {
            redisErrors.increment();
        } else if (slow) {
            redisSlowCalls.increment();
        }
    }

    void degraded(boolean degraded) {
        if (degraded && !this.degraded) {
            breakerOpenings.increment();
        }
        this.degraded = degraded;
    }

    /** Allowed decisions per policy id (Redis and fallback together). */
    public Map<String, Long> allowedByPolicy() {
        return snapshot(allowed);
    }

    /** Rejected (429) decisions per policy id (Redis and fallback together). */
    public Map<String, Long> limitedByPolicy() {
        return snapshot(limited);
    }

    public long allowed(String policyId) {
        LongAdder a = allowed.get(policyId);
        return a == null ? 0 : a.sum();
    }

    public long limited(String policyId) {
        LongAdder a = limited.get(policyId);
        return a == null ? 0 : a.sum();
    }

    /** Decisions taken without Redis (breaker open), allowed + limited. */
    public long fallbackDecisions() {
        return fallbackAllowed.sum() + fallbackLimited.sum();
    }

    public long fallbackAllowed() {
        return fallbackAllowed.sum();
    }

    public long fallbackLimited() {
        return fallbackLimited.sum();
    }

    /** True while the breaker is not closed (decisions come from the fallback). */
    public boolean degraded() {
        return degraded;
    }

    /** How many times the limiter entered degraded mode. */
    public long breakerOpenings() {
        return breakerOpenings.sum();
    }

    /** Redis calls that threw (timeouts, refused connections, pool exhausted, script errors). */
    public long redisErrors() {
        return redisErrors.sum();
    }

    /** Redis calls that answered but over the latency budget. */
    public long redisSlowCalls() {
        return redisSlowCalls.sum();
    }

    /** Bucket upper bounds in microseconds; the histogram has one more bucket (+Inf). */
    public long[] latencyBucketBoundsMicros() {
        return LATENCY_BOUNDS_MICROS.clone();
    }

    /** Calls per latency bucket (non-cumulative), length = bounds + 1. */
    public long[] latencyBucketCounts() {
        long[] counts = new long[latencyBuckets.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = latencyBuckets[i].sum();
        }
        return counts;
    }

    /** Calls at or below each bound, as Prometheus {@code _bucket{le=…}} wants; the last entry is the +Inf total. */
    public long[] latencyBucketCountsCumulative() {
        long[] counts = latencyBucketCounts();
        for (int i = 1; i < counts.length; i++) {
            counts[i] += counts[i - 1];
        }
        return counts;
    }

    public long latencySumMicros() {
        return latencySumMicros.sum();
    }

    public long latencyCount() {
        long n = 0;
        for (LongAdder a : latencyBuckets) {
            n += a.sum();
        }
        return n;
    }

    private static Map<String, Long> snapshot(ConcurrentHashMap<String, LongAdder> map) {
        Map<String, Long> out = new TreeMap<>();
        map.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
