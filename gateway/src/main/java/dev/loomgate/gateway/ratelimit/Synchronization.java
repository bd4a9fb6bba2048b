package dev.loomgate.gateway.ratelimit;

import java.time.Duration;

/**
 * How a node talks to Redis for one bucket (Bucket4j "optimizations"). Trade-off:
 * <ul>
 *   <li>{@link None}: one Redis round trip (a Lua script) per request. Exact, but one hot key caps at roughly
 *       10k decisions/s per node because each call waits for its own round trip.</li>
 *   <li>{@link Batching} (default): concurrent requests for the same key on one node share a round trip; while one is
 *       in flight, the others queue and go together in the next. Still exact (every token is taken in Redis before the
 *       request is admitted); costs a little latency under contention and gives 5× or more throughput on a hot key.</li>
 *   <li>{@link Delaying}: the node consumes from a local copy and synchronises with Redis only after
 *       {@code maxUnsynchronizedTokens} tokens or {@code maxUnsynchronizedTime}. Fastest, but each node may over-admit
 *       by up to {@code maxUnsynchronizedTokens} per sync window, so the cluster limit can be exceeded by
 *       {@code nodes × maxUnsynchronizedTokens}. Use it for very hot keys whose limit is large.</li>
 * </ul>
 */
public sealed interface Synchronization {
    record None() implements Synchronization {
    }

    record Batching() implements Synchronization {
    }

    record Delaying(long maxUnsynchronizedTokens, Duration maxUnsynchronizedTime) implements Synchronization {
        public Delaying {
            if (maxUnsynchronizedTokens <= 0) {
                throw new IllegalArgumentException("max-unsynchronized-tokens: must be > 0, got " + maxUnsynchronizedTokens);
            }
            if (maxUnsynchronizedTime == null || maxUnsynchronizedTime.isZero() || maxUnsynchronizedTime.isNegative()) {
                throw new IllegalArgumentException("max-unsynchronized-time: must be > 0, got " + maxUnsynchronizedTime);
            }
        }
    }

    Synchronization NONE = new None();
    Synchronization BATCHING = new Batching();
}
