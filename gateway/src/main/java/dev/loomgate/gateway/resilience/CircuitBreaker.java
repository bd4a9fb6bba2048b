package dev.loomgate.gateway.resilience;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A per-upstream circuit breaker: CLOSED counts the outcomes of the last {@code window} tries;
 * when the failure share reaches {@code failureRatio}% it turns OPEN and rejects every try
 * without touching the upstream for {@code openFor}; then HALF_OPEN lets
 * {@code halfOpenRequests} probes through: all succeed -> CLOSED, any fails -> OPEN again.
 *
 * <p>State lives in a few fields guarded by a short {@link ReentrantLock} section that does
 * arithmetic only (no blocking inside), so virtual threads never pin or wait long.
 */
public final class CircuitBreaker {
    /** Breaker states, in the usual naming. */
    public enum State { CLOSED, OPEN, HALF_OPEN }

    /** Told about every state change (metrics, logs). */
    @FunctionalInterface
    public interface Listener {
        void changed(State from, State to);
    }

    private final CircuitBreakerSettings settings;
    private final LongSupplier nanoClock;
    private final Listener listener;
    private final ReentrantLock lock = new ReentrantLock();
    // guarded by lock
    private final boolean[] ring;
    private int ringPos;
    private int ringSize;
    private int ringFailures;
    private State state = State.CLOSED;
    private long openedAt;
    private int probesIssued;
    private int probesSucceeded;

    public CircuitBreaker(CircuitBreakerSettings settings, Listener listener) {
        this(settings, listener, System::nanoTime);
    }

    CircuitBreaker(CircuitBreakerSettings settings, Listener listener, LongSupplier nanoClock) {
        this.settings = settings;
        this.listener = listener;
        this.nanoClock = nanoClock;
        this.ring = new boolean[settings.window()];
    }

    public CircuitBreakerSettings settings() {
        return settings;
    }

    /**
     * Asks to send one try. Every {@code true} must be followed by exactly one
     * {@link #record(boolean)} for that try.
     */
    public boolean tryAcquire() {
        State from;
        lock.lock();
        try {
            from = state;
            if (state == State.CLOSED) {
                return true;
            }
            if (state == State.OPEN) {
                if (nanoClock.getAsLong() - openedAt < settings.openFor().toNanos()) {
                    return false;
                }
                state = State.HALF_OPEN;
                probesIssued = 0;
                probesSucceeded = 0;
            }
            if (probesIssued >= settings.halfOpenRequests()) {
                return false;
            }
            probesIssued++;
        } finally {
            lock.unlock();
        }
        if (from != State.HALF_OPEN) {
            listener.changed(from, State.HALF_OPEN);
        }
        return true;
    }

    /** The outcome of a try that {@link #tryAcquire()} let through. */
    public void record(boolean success) {
        State from;
        State to;
        lock.lock();
        try {
            from = state;
            switch (state) {
                case CLOSED -> {
                    if (ringSize == ring.length && ring[ringPos]) {
                        ringFailures--;
                    }
                    ring[ringPos] = !success;
                    ringPos = (ringPos + 1) % ring.length;
                    ringSize = Math.min(ringSize + 1, ring.length);
                    if (!success) {
                        ringFailures++;
                    }
                    if (ringSize == ring.length && ringFailures * 100 >= settings.failureRatio() * ring.length) {
                        open();
                    }
                }
                case HALF_OPEN -> {
                    if (!success) {
                        open();
                    } else if (++probesSucceeded >= settings.halfOpenRequests()) {
                        state = State.CLOSED;
                        clearRing();
                    }
                }
                case OPEN -> {
                    // a try that started before the breaker opened: it says nothing new
                }
            }
            to = state;
        } finally {
            lock.unlock();
        }
        if (from != to) {
            listener.changed(from, to);
        }
    }

    /** A try that was let through ended without an outcome that says anything about the upstream. */
    public void release() {
        lock.lock();
        try {
            if (state == State.HALF_OPEN && probesIssued > probesSucceeded) {
                probesIssued--;
            }
        } finally {
            lock.unlock();
        }
    }

    private void open() {
        state = State.OPEN;
        openedAt = nanoClock.getAsLong();
        clearRing();
    }

    private void clearRing() {
        java.util.Arrays.fill(ring, false);
        ringPos = 0;
        ringSize = 0;
        ringFailures = 0;
    }

    /** The state as of now (an OPEN breaker whose time is up reports HALF_OPEN). */
    public State state() {
        lock.lock();
        try {
            if (state == State.OPEN && nanoClock.getAsLong() - openedAt >= settings.openFor().toNanos()) {
                return State.HALF_OPEN;
            }
            return state;
        } finally {
            lock.unlock();
        }
    }

    /** How long an open breaker keeps rejecting; zero when it lets tries through. */
    public Duration retryAfter() {
        lock.lock();
        try {
            if (state != State.OPEN) {
                return Duration.ZERO;
            }
            long left = settings.openFor().toNanos() - (nanoClock.getAsLong() - openedAt);
            return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
        } finally {
            lock.unlock();
        }
    }
}
