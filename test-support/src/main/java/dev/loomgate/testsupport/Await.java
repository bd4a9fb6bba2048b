package dev.loomgate.testsupport;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one way Loomgate's tests wait for something that happens elsewhere (another thread, a child process, a
 * server): a bounded wait on a condition that fails naming what was awaited. Conditions that can be signalled
 * (a latch, a fixture's own await method) should be; this is for state that can only be observed (a node's
 * phase, a metric, a port that answers), checked every few milliseconds. Shared by every module's tests.
 */
public final class Await {
    /** Long enough for a loaded 2-core CI machine; a passing test waits only as long as it needs. */
    public static final Duration DEFAULT = Duration.ofSeconds(10);

    private Await() {
    }

    /** Waits until {@code condition} holds; fails with "timed out after ... waiting for: {@code what}". */
    public static void until(String what, BooleanSupplier condition) {
        until(what, DEFAULT, condition);
    }

    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        if (!within(timeout, condition)) {
            throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
        }
    }

    /** Waits until {@code value} gives something {@code ok} accepts and returns it; the failure shows the last value. */
    public static <T> T value(String what, Duration timeout, Supplier<T> value, Predicate<? super T> ok) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseNanos = 1_000_000;
        while (true) {
            T v = value.get();
            if (ok.test(v)) {
                return v;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what
                        + " (last value: " + v + ")");
            }
            pauseNanos = pause(pauseNanos);
        }
    }

    /** Whether {@code condition} held within {@code timeout} (for callers that assert on it themselves). */
    public static boolean within(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseNanos = 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            pauseNanos = pause(pauseNanos);
        }
        return true;
    }

    /** Checks again soon: 1 ms at first, backing off to 25 ms so a slow condition costs little CPU. */
    private static long pause(long pauseNanos) {
        LockSupport.parkNanos(pauseNanos);
        if (Thread.interrupted()) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting");
        }
        return Math.min(pauseNanos * 2, 25_000_000);
    }
}
