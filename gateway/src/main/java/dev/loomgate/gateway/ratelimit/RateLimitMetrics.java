package dev.loomgate.gateway.ratelimit;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

import dev.loomgate.gateway.observe.Histogram;

/**
 * Counters of one {@link RateLimiter}, read with plain getters (to be exported as Prometheus text by /metrics).
 * All counters only grow.
 */
public final class RateLimitMetrics {
    /** Upper bounds (inclusive, seconds) of the Redis latency histogram buckets: 100 µs to 100 ms; +Inf is added. */
    private static final double[] LATENCY_BOUNDS_SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
            0.025, 0.05, 0.1};

    private final ConcurrentHashMap<String, LongAdder> allowed = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> limited = new ConcurrentHashMap<>();
    private final LongAdder fallbackAllowed = new LongAdder();
    private final LongAdder fallbackLimited = new LongAdder();
    private final LongAdder redisErrors = new LongAdder();
    private final LongAdder redisSlowCalls = new LongAdder();
    private final LongAdder breakerOpenings = new LongAdder();
    private final Histogram redisLatency = new Histogram(LATENCY_BOUNDS_SECONDS, "");
    private final AtomicInteger redisCallsInFlight = new AtomicInteger();
    private final LongAccumulator redisCallsInFlightPeak = new LongAccumulator(Math::max, 0);
    private final LongAdder refillWaits = new LongAdder();
    private final LongAdder refillWaitTimeouts = new LongAdder();
    private final LongAdder refillsAhead = new LongAdder();
    private volatile boolean degraded;

    public RateLimitMetrics() {
    }

    void recordDecision(String policyId, RateLimitDecision decision) {
        (decision.allowed() ? allowed : limited).computeIfAbsent(policyId, k -> new LongAdder()).increment();
        if (decision.degraded()) {
            (decision.allowed() ? fallbackAllowed : fallbackLimited).increment();
        }
    }

    void recordRedisCall(long nanos, boolean failed, boolean slow) {
        redisLatency.record(nanos);
        if (failed) {
            redisErrors.increment();
        } else if (slow) {
            redisSlowCalls.increment();
        }
    }

    void redisCallStarted() {
        redisCallsInFlightPeak.accumulate(redisCallsInFlight.incrementAndGet());
    }

    void redisCallEnded() {
        redisCallsInFlight.decrementAndGet();
    }

    void refillWaited() {
        refillWaits.increment();
    }

    void refillWaitTimedOut() {
        refillWaitTimeouts.increment();
    }

    void refillAhead() {
        refillsAhead.increment();
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

    /** The most Redis calls this limiter had in flight at once (all keys); {@code sync: reserving} makes one per key. */
    public long redisCallsInFlightPeak() {
        return redisCallsInFlightPeak.get();
    }

    /** {@code sync: reserving}: decisions that waited for another request's refill of the key instead of calling Redis. */
    public long refillWaits() {
        return refillWaits.sum();
    }

    /** {@code sync: reserving}: waits that got no token within the latency budget (decided by the fallback). */
    public long refillWaitTimeouts() {
        return refillWaitTimeouts.sum();
    }

    /** {@code sync: reserving}: refills started ahead, in the background, when a chunk was half spent. */
    public long refillsAhead() {
        return refillsAhead.sum();
    }

    /** Time of each Redis call (the one histogram implementation, {@link Histogram}). */
    public Histogram redisLatency() {
        return redisLatency;
    }

    public long latencyCount() {
        return redisLatency.count();
    }

    private static Map<String, Long> snapshot(ConcurrentHashMap<String, LongAdder> map) {
        Map<String, Long> out = new TreeMap<>();
        map.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
