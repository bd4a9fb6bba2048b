package dev.loomgate.gateway.resilience;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Health of one endpoint as seen by the active health checker and the outlier detector, kept
 * on its host ({@link TrackedEndpoint}) so it survives config reloads. Only data and transitions
 * live here; the policies are {@link OutlierDetector} and the health checkers.
 */
public final class EndpointHealth {
    private static final long NOT_EJECTED = Long.MIN_VALUE;

    // active health checks
    private volatile boolean checkFailed;
    private final AtomicInteger checkStreak = new AtomicInteger(); // > 0 passes in a row, < 0 failures in a row
    // outlier detection
    private final AtomicLong ejectedUntilNanos = new AtomicLong(NOT_EJECTED);
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicInteger ejections = new AtomicInteger();
    private volatile long lastEjectionNanos;

    /** Whether the balancer may use the endpoint as far as health goes. */
    public boolean admitsTraffic() {
        return !checkFailed && !ejected();
    }

    /** False after {@code unhealthy-threshold} failed active checks, until {@code healthy-threshold} pass. */
    public boolean checkHealthy() {
        return !checkFailed;
    }

    /**
     * Records one active check result.
     *
     * @return true when this result changed the healthy/unhealthy state
     */
    public boolean recordCheck(boolean passed, int healthyThreshold, int unhealthyThreshold) {
        int streak = checkStreak.updateAndGet(s -> passed ? Math.max(s, 0) + 1 : Math.min(s, 0) - 1);
        if (passed && checkFailed && streak >= healthyThreshold) {
            checkFailed = false;
            return true;
        }
        if (!passed && !checkFailed && -streak >= unhealthyThreshold) {
            checkFailed = true;
            return true;
        }
        return false;
    }

    /** Forgets active check results (health checks were switched off for the upstream). */
    public void clearChecks() {
        checkFailed = false;
        checkStreak.set(0);
    }

    public boolean ejected() {
        return ejected(ejectedUntilNanos.get(), System.nanoTime());
    }

    private static boolean ejected(long until, long now) {
        return until != NOT_EJECTED && now - until < 0;
    }

    /** Remaining ejection in milliseconds (0 when not ejected). */
    public long ejectedForMillis() {
        long until = ejectedUntilNanos.get();
        long left = until == NOT_EJECTED ? 0 : until - System.nanoTime();
        return Math.max(0, left / 1_000_000);
    }

    /** Consecutive failures seen by the outlier detector; the new count. */
    public int recordFailure() {
        return consecutiveFailures.incrementAndGet();
    }

    public void recordSuccess() {
        if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0);
        }
    }

    public int consecutiveFailures() {
        return consecutiveFailures.get();
    }

    /** How many times the endpoint has been ejected in the current series. */
    public int ejections() {
        return ejections.get();
    }

    /**
     * Ejects until now + {@code base * n} (capped), n being this ejection's number in the series;
     * a series ends when the endpoint went {@code maxNanos} without an ejection. Unconditional:
     * the data path uses {@link #tryEject}.
     */
    public long eject(long baseNanos, long maxNanos) {
        long now = System.nanoTime();
        int number = nextNumber(now, baseNanos, maxNanos);
        long duration = Math.min(maxNanos, baseNanos * number);
        ejectedUntilNanos.set(now + duration);
        committed(now, number);
        return duration;
    }

    /**
     * Ejects as {@link #eject} does unless the endpoint is already ejected: of two tries that
     * race, exactly one wins (a compare-and-set on the deadline), so one burst of failures
     * counts as one ejection of the series, not two.
     *
     * @return the ejection's length in nanoseconds, or -1 when the endpoint was already ejected
     */
    public long tryEject(long baseNanos, long maxNanos) {
        while (true) {
            long now = System.nanoTime();
            long until = ejectedUntilNanos.get();
            if (ejected(until, now)) {
                return -1;
            }
            int number = nextNumber(now, baseNanos, maxNanos);
            long duration = Math.min(maxNanos, baseNanos * number);
            if (ejectedUntilNanos.compareAndSet(until, now + duration)) {
                committed(now, number);
                return duration;
            }
        }
    }

    /** This ejection's number in the series: 1 when the series ended ({@code maxNanos} without one). */
    private int nextNumber(long now, long baseNanos, long maxNanos) {
        int n = ejections.get();
        boolean seriesEnded = n > 0 && now - lastEjectionNanos > maxNanos + baseNanos * n;
        return seriesEnded ? 1 : n + 1;
    }

    /** Only the thread that set the deadline gets here, so the series bookkeeping needs no CAS. */
    private void committed(long now, int number) {
        ejections.set(number);
        lastEjectionNanos = now;
        consecutiveFailures.set(0);
    }
}
