package dev.loomgate.gateway.ratelimit;

import java.time.Duration;

/**
 * Tuning of a {@link RateLimiter}; {@link #defaults()} suits a LAN Redis.
 *
 * @param failureThreshold  consecutive failed or slow Redis calls that open the breaker
 * @param latencyBudget     a Redis call slower than this counts as a failure for the breaker (its answer is still
 *                          used). A decision normally costs ~0.1 ms; 5 ms means Redis or the network is in trouble.
 * @param probeInterval     how often the background probe pings Redis while the breaker is open
 * @param keepAfterRefill   Redis keeps an idle bucket this long after it would be full again, then expires it
 * @param maxCachedBuckets  bound on per-key objects held in memory (Redis bucket proxies, local fallback buckets);
 *                          when exceeded the cache is emptied (state lives in Redis, so that only costs re-creation)
 */
public record RateLimiterOptions(int failureThreshold, Duration latencyBudget, Duration probeInterval,
                                 Duration keepAfterRefill, int maxCachedBuckets) {
    public static final int DEFAULT_FAILURE_THRESHOLD = 5;
    public static final Duration DEFAULT_LATENCY_BUDGET = Duration.ofMillis(5);
    public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofMillis(200);
    public static final Duration DEFAULT_KEEP_AFTER_REFILL = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_CACHED_BUCKETS = 100_000;

    public RateLimiterOptions {
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("failure-threshold: must be >= 1, got " + failureThreshold);
        }
        requirePositive(latencyBudget, "latency-budget");
        requirePositive(probeInterval, "probe-interval");
        requirePositive(keepAfterRefill, "keep-after-refill");
        if (maxCachedBuckets < 1) {
            throw new IllegalArgumentException("max-cached-buckets: must be >= 1, got " + maxCachedBuckets);
        }
    }

    public static RateLimiterOptions defaults() {
        return builder().build();
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().failureThreshold(failureThreshold).latencyBudget(latencyBudget)
                .probeInterval(probeInterval).keepAfterRefill(keepAfterRefill).maxCachedBuckets(maxCachedBuckets);
    }

    /** Builds {@link RateLimiterOptions}. */
    public static final class Builder {
        private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
        private Duration latencyBudget = DEFAULT_LATENCY_BUDGET;
        private Duration probeInterval = DEFAULT_PROBE_INTERVAL;
        private Duration keepAfterRefill = DEFAULT_KEEP_AFTER_REFILL;
        private int maxCachedBuckets = DEFAULT_MAX_CACHED_BUCKETS;

        private Builder() {
        }

        public Builder failureThreshold(int v) {
            failureThreshold = v;
            return this;
        }

        public Builder latencyBudget(Duration v) {
            latencyBudget = v;
            return this;
        }

        public Builder probeInterval(Duration v) {
            probeInterval = v;
            return this;
        }

        public Builder keepAfterRefill(Duration v) {
            keepAfterRefill = v;
            return this;
        }

        public Builder maxCachedBuckets(int v) {
            maxCachedBuckets = v;
            return this;
        }

        public RateLimiterOptions build() {
            return new RateLimiterOptions(failureThreshold, latencyBudget, probeInterval, keepAfterRefill,
                    maxCachedBuckets);
        }
    }

    private static void requirePositive(Duration d, String field) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(field + ": must be > 0, got " + d);
        }
    }
}
