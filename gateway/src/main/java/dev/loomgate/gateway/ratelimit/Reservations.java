package dev.loomgate.gateway.ratelimit;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tokens this node took from a Redis bucket ahead of its requests ({@link Synchronization.Reserving}): a request
 * that finds one spends it without a Redis round trip; one that finds none takes a new chunk from Redis.
 *
 * <p>Why the cluster limit holds: every token spent here was consumed in Redis first, so over a whole run the
 * cluster never admits more than the bucket gave out. A token is spent at most {@code hold} after it was taken;
 * unspent ones are given back to the bucket then, so under-admission lasts at most {@code hold}, and in any window
 * the cluster admits at most the bucket's allowance plus {@code rate × hold} (the refill that happened while tokens
 * sat here). The chunk is a quarter of this node's share of what Redis had left, so near the limit chunks shrink
 * to one token and decisions are exactly those of {@code batching}.
 */
final class Reservations {
    /** The largest chunk: one Redis call per 256 requests of a hot, never-hit key is already cheap. */
    static final long MAX_CHUNK = 256;

    /** One key's reserved tokens and what Redis said when they were taken. */
    static final class Reservation {
        private final AtomicLong tokens = new AtomicLong();
        private volatile long expiresAt;
        private volatile long remainingInRedis = -1;
        private volatile long resetNanos;

        /** What Redis had left after the last grant; -1 before the first. */
        long remainingInRedis() {
            return remainingInRedis;
        }

        long resetNanos() {
            return resetNanos;
        }
    }

    private final ConcurrentHashMap<String, Reservation> byKey = new ConcurrentHashMap<>();
    private final long holdNanos;
    private final int maxKeys;

    Reservations(long holdNanos, int maxKeys) {
        this.holdNanos = holdNanos;
        this.maxKeys = maxKeys;
    }

    Reservation of(String redisKey) {
        Reservation r = byKey.get(redisKey);
        if (r == null) {
            if (byKey.size() >= maxKeys) {
                byKey.clear(); // dropped tokens are only under-admission, and only until they would have expired
            }
            r = byKey.computeIfAbsent(redisKey, k -> new Reservation());
        }
        return r;
    }

    /**
     * Takes one reserved token.
     *
     * @return the tokens left after taking one (>= 0), or -1 when none was held
     */
    static long take(Reservation r, long now) {
        if (now - r.expiresAt > 0) {
            return -1;
        }
        AtomicLong tokens = r.tokens;
        while (true) {
            long t = tokens.get();
            if (t <= 0) {
                return -1;
            }
            if (tokens.compareAndSet(t, t - 1)) {
                return t - 1;
            }
        }
    }

    /** Takes the tokens of an expired reservation, for giving back to Redis; 0 when it has none or is still valid. */
    static long expired(Reservation r, long now) {
        return now - r.expiresAt > 0 && r.tokens.get() > 0 ? r.tokens.getAndSet(0) : 0;
    }

    /** How many tokens to ask Redis for: a quarter of this node's share of what was left, 1 to {@link #MAX_CHUNK}. */
    static long chunk(Reservation r, int liveNodes) {
        long remaining = r.remainingInRedis;
        if (remaining <= 0) {
            return 1;
        }
        return Math.max(1, Math.min(MAX_CHUNK, remaining / (4L * Math.max(1, liveNodes))));
    }

    /** Keeps {@code extra} tokens granted with a request (which took one more for itself). */
    void granted(Reservation r, long extra, long remainingInRedis, long resetNanos, long now) {
        r.remainingInRedis = remainingInRedis;
        r.resetNanos = resetNanos;
        if (extra > 0) {
            r.expiresAt = now + holdNanos; // before the tokens, so a taker never sees them with an old expiry
            r.tokens.addAndGet(extra);
        }
    }

    /** Redis said what it has left (a denial or a one-token grant): the next chunk is sized from it. */
    static void observed(Reservation r, long remainingInRedis, long resetNanos) {
        r.remainingInRedis = remainingInRedis;
        r.resetNanos = resetNanos;
    }

    void clear() {
        byKey.clear();
    }
}
