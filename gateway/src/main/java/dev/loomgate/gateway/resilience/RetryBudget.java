package dev.loomgate.gateway.resilience;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Bounds retries to a share of recent requests (Finagle's and Linkerd's retry budget): over a
 * sliding window of {@value #WINDOW_SECONDS} one-second buckets, retries may be at most
 * {@code percent}% of requests plus {@code minPerSecond} per second. When most requests fail,
 * this is what keeps a struggling upstream from receiving {@code attempts} times its load.
 *
 * <p>Lock-free: each bucket is a (second, count) pair in atomic arrays; a bucket from an older
 * second is reset by whichever thread first sees it stale. Counts are approximate under races
 * at a bucket boundary, which is fine for a budget.
 */
public final class RetryBudget {
    static final int WINDOW_SECONDS = 10;
    private final int percent;
    private final int minPerSecond;
    private final AtomicLongArray requestSecond = new AtomicLongArray(WINDOW_SECONDS);
    private final AtomicLongArray requests = new AtomicLongArray(WINDOW_SECONDS);
    private final AtomicLongArray retrySecond = new AtomicLongArray(WINDOW_SECONDS);
    private final AtomicLongArray retries = new AtomicLongArray(WINDOW_SECONDS);
    private final Clock clock;

    /** Seconds since some origin; replaceable in tests. */
    @FunctionalInterface
    public interface Clock {
        long seconds();
    }

    public RetryBudget(int percent, int minPerSecond) {
        this(percent, minPerSecond, () -> System.nanoTime() / 1_000_000_000L);
    }

    public RetryBudget(int percent, int minPerSecond, Clock clock) {
        this.percent = percent;
        this.minPerSecond = minPerSecond;
        this.clock = clock;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            requestSecond.set(i, Long.MIN_VALUE);
            retrySecond.set(i, Long.MIN_VALUE);
        }
    }

    public int percent() {
        return percent;
    }

    public int minPerSecond() {
        return minPerSecond;
    }

    /** Counts one request (its first try). */
    public void requestStarted() {
        add(requestSecond, requests, clock.seconds());
    }

    /** Takes one retry from the budget; false when the budget is spent (nothing is taken then). */
    public boolean tryRetry() {
        long now = clock.seconds();
        long allowed = (long) minPerSecond * WINDOW_SECONDS + sum(requestSecond, requests, now) * percent / 100;
        if (sum(retrySecond, retries, now) >= allowed) {
            return false;
        }
        add(retrySecond, retries, now);
        return true;
    }

    private static void add(AtomicLongArray seconds, AtomicLongArray counts, long now) {
        int i = (int) Math.floorMod(now, (long) WINDOW_SECONDS);
        long s = seconds.get(i);
        if (s != now && seconds.compareAndSet(i, s, now)) {
            counts.set(i, 0);
        }
        counts.incrementAndGet(i);
    }

    private static long sum(AtomicLongArray seconds, AtomicLongArray counts, long now) {
        long total = 0;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            long s = seconds.get(i);
            if (s != Long.MIN_VALUE && now - s < WINDOW_SECONDS) {
                total += counts.get(i);
            }
        }
        return total;
    }
}
