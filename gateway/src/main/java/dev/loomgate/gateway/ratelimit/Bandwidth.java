package dev.loomgate.gateway.ratelimit;

import java.time.Duration;

/**
 * One limit of a policy: {@code capacity} requests per {@code period}, refilled smoothly, with a bucket that holds up
 * to {@code burst} tokens (so an idle client may send {@code burst} at once). Over a long run the admitted count is
 * {@code burst + capacity × elapsed / period}.
 */
public record Bandwidth(long capacity, Duration period, long burst) {
    private static final Duration MAX_PERIOD = Duration.ofDays(366);

    public Bandwidth {
        if (capacity <= 0) {
            throw new IllegalArgumentException("limit: must be > 0, got " + capacity);
        }
        if (period == null || period.isZero() || period.isNegative()) {
            throw new IllegalArgumentException("per: must be a positive duration, got " + period);
        }
        if (period.compareTo(MAX_PERIOD) > 0) {
            throw new IllegalArgumentException("per: must be at most 366 days, got " + period);
        }
        if (period.toNanos() / capacity == 0) {
            throw new IllegalArgumentException("per: " + capacity + " per " + period + " is faster than one per nanosecond");
        }
        if (burst <= 0) {
            throw new IllegalArgumentException("burst: must be > 0, got " + burst);
        }
    }

    /** {@code capacity} per {@code period} with a burst equal to the capacity. */
    public Bandwidth(long capacity, Duration period) {
        this(capacity, period, capacity);
    }

    /** Tokens per second, for comparing bandwidths. */
    public double ratePerSecond() {
        return capacity * 1e9 / period.toNanos();
    }

    /** This bandwidth split evenly across {@code nodes} nodes (same burst share, same rate share). */
    Bandwidth dividedBy(int nodes) {
        if (nodes <= 1) {
            return this;
        }
        // Stretch the period instead of dividing the capacity so 10/s over 3 nodes stays exactly 10/3 per second.
        return new Bandwidth(capacity, period.multipliedBy(nodes), Math.max(1, burst / nodes));
    }

    /** Draft RateLimit-Policy item, e.g. {@code 10;w=1;burst=20}. */
    String policyItem() {
        long windowSeconds = Math.max(1, (period.toMillis() + 999) / 1000);
        return capacity + ";w=" + windowSeconds + (burst != capacity ? ";burst=" + burst : "");
    }
}
