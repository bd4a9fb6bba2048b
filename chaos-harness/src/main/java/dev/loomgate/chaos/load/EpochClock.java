package dev.loomgate.chaos.load;

/**
 * Epoch time in nanoseconds from the monotonic clock, anchored once to the wall clock: differences are exact
 * (no NTP steps mid-run) and values compare with {@code System.currentTimeMillis()} used for fault timestamps.
 */
public final class EpochClock {
    private final long anchorEpochNanos;
    private final long anchorNanoTime;

    public EpochClock() {
        this.anchorEpochNanos = System.currentTimeMillis() * 1_000_000L;
        this.anchorNanoTime = System.nanoTime();
    }

    public long epochNanos() {
        return toEpochNanos(System.nanoTime());
    }

    public long epochMillis() {
        return epochNanos() / 1_000_000L;
    }

    public long toEpochNanos(long nanoTime) {
        return anchorEpochNanos + (nanoTime - anchorNanoTime);
    }
}
