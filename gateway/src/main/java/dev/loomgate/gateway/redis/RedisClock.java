package dev.loomgate.gateway.redis;

import java.util.OptionalLong;

/**
 * An upper estimate of the Redis server's clock (ms) on this node, from the times its scripts return. A reply's time
 * was read by Redis after the call was sent, so "that time + what elapsed here since sending" is never behind the
 * Redis clock (up to clock-rate drift): a timeout checked against it ends a session no later than Redis would. The
 * tightest estimate seen is kept, but only for {@link #MAX_AGE_NANOS}, so drift and clock steps do not accumulate.
 */
final class RedisClock {
    static final long MAX_AGE_NANOS = 10_000_000_000L;

    private record Sample(long redisMs, long sentNanos) {
        long estimate(long nowNanos) {
            return redisMs + Math.ceilDiv(nowNanos - sentNanos, 1_000_000L);
        }
    }

    private volatile Sample sample;

    /** A Redis time read by a call sent at {@code sentNanos} ({@link System#nanoTime()}). */
    void observe(long redisMs, long sentNanos) {
        Sample s = new Sample(redisMs, sentNanos);
        Sample old = sample;
        long now = System.nanoTime();
        if (old == null || now - old.sentNanos() > MAX_AGE_NANOS || s.estimate(now) <= old.estimate(now)) {
            sample = s; // racing observers may each win once: every sample is a valid upper estimate
        }
    }

    /** The Redis clock now, never behind it; empty before the first sample or when the last one is too old. */
    OptionalLong upperEstimate() {
        Sample s = sample;
        long now = System.nanoTime();
        if (s == null || now - s.sentNanos() > MAX_AGE_NANOS) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(s.estimate(now));
    }
}
