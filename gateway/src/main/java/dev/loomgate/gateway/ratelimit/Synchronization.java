package dev.loomgate.gateway.ratelimit;

import java.time.Duration;

/**
 * How a node talks to Redis for one bucket (Bucket4j "optimizations"). Trade-off:
 * <ul>
 *   <li>{@link None}: one Redis round trip (a Lua script) per request. Exact, but one hot key caps at roughly
 *       10k decisions/s per node because each call waits for its own round trip.</li>
 *   <li>{@link Reserving} (default): a request that finds no reserved token takes a chunk from Redis (a quarter of
 *       this node's share of what is left, at most 256) and the following requests spend it without a round trip;
 *       unspent tokens go back after {@code hold}. Never admits a token Redis did not give out; in any window the
 *       cluster may admit up to about {@code rate × 1.5 × hold} more than the bucket's allowance (refill while tokens were held).
 *       Near the limit chunks are one token: the decisions of batching. One refill per key is in flight per node
 *       (others wait for it), started ahead when a chunk is half spent. See {@link Reservations}.</li>
 *   <li>{@link Batching}: concurrent requests for the same key on one node share a round trip; while one is
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

    /** @param hold how long reserved tokens are kept before they are given back */
    record Reserving(Duration hold) implements Synchronization {
        public Reserving {
            if (hold == null || hold.isZero() || hold.isNegative()) {
                throw new IllegalArgumentException("hold: must be > 0, got " + hold);
            }
        }
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
    /** The default: tokens held at most 100 ms. */
    Synchronization RESERVING = new Reserving(Duration.ofMillis(100));
}
