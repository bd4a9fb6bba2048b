package dev.loomgate.gateway.ratelimit;

import io.github.bucket4j.ConsumptionProbe;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Tokens this node took from a Redis bucket ahead of its requests ({@link Synchronization.Reserving}): a request
 * that finds one spends it without a Redis round trip; one that finds none takes a new chunk from Redis.
 *
 * <p>Why the cluster limit holds: every token spent here was consumed in Redis first, so over a whole run the
 * cluster never admits more than the bucket gave out. A chunk is spent at most {@code hold} after it was taken
 * (leftovers renewed by a refill ahead: about {@code 1.5 × hold}, below); unspent tokens are given back to the
 * bucket then, so under-admission is bounded in time, and in any window the cluster admits at most the bucket's
 * allowance plus about {@code rate × 1.5 × hold} (the refill that happened while tokens sat here). The chunk is a quarter of this node's share of what Redis had left, so near the limit chunks shrink
 * to one token and decisions are exactly those of {@code batching}.
 *
 * <p>Refills are single-flight per key ({@link Reservation#claimRefill}): at most one Redis chunk call per key is in
 * flight on this node; requests that find the reservation empty wait for it instead of each asking Redis (a wave of
 * concurrent calls on one key queues in the pool and overruns the latency budget). A refill starts ahead, in the
 * background, when a chunk of two or more is half spent and younger than {@code hold / 2}, so steady traffic rarely
 * finds the reservation empty. A refill ahead renews the expiry of the leftovers of the previous chunk (one counter,
 * one expiry), so a token may be spent up to about {@code 1.5 × hold} after it was taken.
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
        private volatile long lastChunk;
        private volatile long grantedAt;
        /** The refill in flight, if any: its completion says what Redis answered. */
        private final AtomicReference<CompletableFuture<Refill>> refill = new AtomicReference<>();
        /** Requests waiting for the refill in flight: the next chunk is at least as large, so one call serves them. */
        private final AtomicInteger waiting = new AtomicInteger();

        /**
         * Becomes the one refill in flight for this key, or returns the one already in flight (empty: claimed; the
         * caller must {@link #finishRefill} it).
         */
        Optional<CompletableFuture<Refill>> claimRefill(CompletableFuture<Refill> mine) {
            return Optional.ofNullable(refill.compareAndExchange(null, mine));
        }

        /** Ends a claimed refill: new arrivals may start the next one, and its waiters wake up. */
        void finishRefill(CompletableFuture<Refill> mine, Refill outcome) {
            refill.compareAndSet(mine, null); // before completing: a woken waiter that finds no token can start the next
            mine.complete(outcome);
        }

        int waiting() {
            return waiting.get();
        }

        void startWaiting() {
            waiting.incrementAndGet();
        }

        void stopWaiting() {
            waiting.decrementAndGet();
        }

        /** What Redis had left after the last grant; -1 before the first. */
        long remainingInRedis() {
            return remainingInRedis;
        }

        long resetNanos() {
            return resetNanos;
        }
    }

    /**
     * What a refill's Redis call answered: {@code probe} consumed = tokens granted (in the reservation, and one for the
     * request that made the call), not consumed = Redis had none left (waiters are denied); empty = no answer from
     * Redis (breaker open or the call failed: waiters take the fallback).
     */
    record Refill(Optional<ConsumptionProbe> probe) {
        static final Refill NO_ANSWER = new Refill(Optional.empty());
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

    /**
     * True when a request that just took a token, leaving {@code left}, should start a refill ahead: the chunk (of
     * two or more: near the limit chunks are one token and nothing is taken ahead) is half spent and was granted
     * less than {@code hold / 2} ago (older leftovers would be held too long once the refill renews their expiry).
     */
    boolean refillAhead(Reservation r, long left, long now) {
        long last = r.lastChunk;
        return last >= 2 && left <= last / 2 && now - r.grantedAt < holdNanos / 2 && r.refill.get() == null;
    }

    /**
     * The chunk for a refill: {@link #chunk}, but at least one token per request waiting for it (plus the caller's
     * own when {@code forRequest}), at most {@link #MAX_CHUNK}.
     */
    static long refillChunk(Reservation r, int liveNodes, boolean forRequest) {
        long wanted = r.waiting() + (forRequest ? 1 : 0);
        return Math.max(chunk(r, liveNodes), Math.min(MAX_CHUNK, wanted));
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
        r.lastChunk = extra;
        r.grantedAt = now;
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
