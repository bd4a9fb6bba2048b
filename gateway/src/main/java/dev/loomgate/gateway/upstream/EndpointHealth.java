package dev.loomgate.gateway.upstream;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Health of one endpoint as seen by the active health checker and the outlier detector, kept
 * on its {@link UpstreamHost} so it survives config reloads. Only data and transitions live
 * here; the policies are in {@code dev.loomgate.gateway.resilience}.
 */
public final class EndpointHealth {
    private static final long NOT_EJECTED = Long.MIN_VALUE;

    // active health checks
    private volatile boolean checkFailed;
    private final AtomicInteger checkStreak = new AtomicInteger(); // > 0 passes in a row, < 0 failures in a row
    // outlier detection
    private volatile long ejectedUntilNanos = NOT_EJECTED;
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
        long until = ejectedUntilNanos;
        return until != NOT_EJECTED && System.nanoTime() - until < 0;
    }

    /** Remaining ejection in milliseconds (0 when not ejected). */
    public long ejectedForMillis() {
        long until = ejectedUntilNanos;
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
     * a series ends when the endpoint went {@code maxNanos} without an ejection.
     */
    public long eject(long baseNanos, long maxNanos) {
        long now = System.nanoTime();
        if (ejections.get() > 0 && now - lastEjectionNanos > maxNanos + baseNanos * ejections.get()) {
            ejections.set(0);
        }
        int n = ejections.incrementAndGet();
        long duration = Math.min(maxNanos, baseNanos * n);
        lastEjectionNanos = now;
        ejectedUntilNanos = now + duration;
        consecutiveFailures.set(0);
        return duration;
    }
}
