package dev.loomgate.gateway.ratelimit;

import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * Rate limiting without Redis: node-local buckets holding 1/liveNodes of each limit, for nodes configured without a
 * {@code redis:} block. Accurate cluster-wide only when the load balancer spreads each key evenly; decisions are not
 * marked degraded (this is the configured mode, not a fallback).
 */
public final class LocalRateLimiter {
    private final LocalBuckets buckets;
    private final RateLimitMetrics metrics;

    public LocalRateLimiter(IntSupplier liveNodes, int maxBuckets, RateLimitMetrics metrics) {
        this.buckets = new LocalBuckets(liveNodes, maxBuckets);
        this.metrics = metrics;
    }

    /** Same contract as {@link RateLimiter#tryAcquire}. */
    public RateLimitDecision tryAcquire(RateLimitPolicy policy, String routeId, String key) {
        ConsumptionProbe probe = buckets.tryConsume(policy, BucketKeys.redisKey(policy, routeId, key));
        RateLimitDecision decision = new RateLimitDecision(probe.isConsumed(), policy.headlineBandwidth().burst(),
                probe.getRemainingTokens(), Duration.ofNanos(probe.getNanosToWaitForReset()),
                probe.isConsumed() ? Duration.ZERO : Duration.ofNanos(probe.getNanosToWaitForRefill()), false);
        metrics.recordDecision(policy.id(), decision);
        return decision;
    }

    public RateLimitMetrics metrics() {
        return metrics;
    }
}
