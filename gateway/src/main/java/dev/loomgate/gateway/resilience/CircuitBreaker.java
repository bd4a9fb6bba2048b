package dev.loomgate.gateway.resilience;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * A per-upstream circuit breaker: CLOSED counts the outcomes of the last {@code window} tries;
 * when the failure share reaches {@code failureRatio}% it turns OPEN and rejects every try
 * without touching the upstream for {@code openFor}; then HALF_OPEN lets
 * {@code halfOpenRequests} probes through: all succeed -> CLOSED, any fails -> OPEN again.
 *
 * <p>Lock-free. The state is one immutable phase object swapped by compare-and-set, so each
 * transition happens (and is told to the listener) exactly once. While closed, a
 * {@link #tryAcquire()} is one volatile read, and a {@link #record(boolean)} claims a slot of the
 * phase's own ring with an atomic increment and adjusts the failure count by the difference it
 * made: no lock and no allocation. A new closed phase brings a fresh ring, which is how the
 * window is cleared. The failure count equals the ring's content once the records in progress
 * are done; at an instant it may be off by those few, which can move the opening by as many tries.
 */
public final class CircuitBreaker {
    /** Breaker states, in the usual naming. */
    public enum State { CLOSED, OPEN, HALF_OPEN }

    /** Told about every state change (metrics, logs). */
    @FunctionalInterface
    public interface Listener {
        void changed(State from, State to);
    }

    private sealed interface Phase permits Closed, Open, HalfOpen {
        State state();
    }

    /** The outcomes of the last {@code window} tries: 1 = failure. */
    private record Closed(AtomicIntegerArray ring, AtomicLong recorded, AtomicInteger failures) implements Phase {
        Closed(int window) {
            this(new AtomicIntegerArray(window), new AtomicLong(), new AtomicInteger());
        }

        @Override
        public State state() {
            return State.CLOSED;
        }
    }

    private record Open(long openedAt) implements Phase {
        @Override
        public State state() {
            return State.OPEN;
        }
    }

    private record HalfOpen(AtomicInteger issued, AtomicInteger succeeded) implements Phase {
        @Override
        public State state() {
            return State.HALF_OPEN;
        }
    }

    private final CircuitBreakerSettings settings;
    private final LongSupplier nanoClock;
    private final Listener listener;
    private final AtomicReference<Phase> phase;

    public CircuitBreaker(CircuitBreakerSettings settings, Listener listener) {
        this(settings, listener, System::nanoTime);
    }

    CircuitBreaker(CircuitBreakerSettings settings, Listener listener, LongSupplier nanoClock) {
        this.settings = settings;
        this.listener = listener;
        this.nanoClock = nanoClock;
        this.phase = new AtomicReference<>(new Closed(settings.window()));
    }

    public CircuitBreakerSettings settings() {
        return settings;
    }

    /**
     * Asks to send one try. Every {@code true} must be followed by exactly one
     * {@link #record(boolean)} or {@link #release()} for that try.
     */
    public boolean tryAcquire() {
        while (true) {
            Phase p = phase.get();
            switch (p) {
                case Closed c -> {
                    return true;
                }
                case Open o -> {
                    if (nanoClock.getAsLong() - o.openedAt() < settings.openFor().toNanos()) {
                        return false;
                    }
                    // the first try after the open time becomes the first probe
                    if (move(o, new HalfOpen(new AtomicInteger(1), new AtomicInteger()))) {
                        return true;
                    }
                }
                case HalfOpen h -> {
                    int issued = h.issued().get();
                    if (issued >= settings.halfOpenRequests()) {
                        return false;
                    }
                    if (h.issued().compareAndSet(issued, issued + 1)) {
                        return true;
                    }
                }
            }
        }
    }

    /** The outcome of a try that {@link #tryAcquire()} let through. */
    public void record(boolean success) {
        switch (phase.get()) {
            case Closed c -> {
                int window = c.ring().length();
                long n = c.recorded().getAndIncrement();
                int before = c.ring().getAndSet((int) (n % window), success ? 0 : 1);
                int failures = c.failures().addAndGet((success ? 0 : 1) - before);
                if (n + 1 >= window && failures * 100L >= (long) settings.failureRatio() * window) {
                    move(c, new Open(nanoClock.getAsLong()));
                }
            }
            case HalfOpen h -> {
                if (!success) {
                    move(h, new Open(nanoClock.getAsLong()));
                } else if (h.succeeded().incrementAndGet() >= settings.halfOpenRequests()) {
                    move(h, new Closed(settings.window()));
                }
            }
            case Open o -> {
                // a try that started before the breaker opened: it says nothing new
            }
        }
    }

    /** A try that was let through ended without an outcome that says anything about the upstream. */
    public void release() {
        if (phase.get() instanceof HalfOpen h) {
            h.issued().updateAndGet(issued -> issued > h.succeeded().get() ? issued - 1 : issued);
        }
    }

    private boolean move(Phase from, Phase to) {
        if (!phase.compareAndSet(from, to)) {
            return false;
        }
        listener.changed(from.state(), to.state());
        return true;
    }

    /** The state as of now (an OPEN breaker whose time is up reports HALF_OPEN). */
    public State state() {
        Phase p = phase.get();
        if (p instanceof Open o && nanoClock.getAsLong() - o.openedAt() >= settings.openFor().toNanos()) {
            return State.HALF_OPEN;
        }
        return p.state();
    }

    /** How long an open breaker keeps rejecting; zero when it lets tries through. */
    public Duration retryAfter() {
        if (!(phase.get() instanceof Open o)) {
            return Duration.ZERO;
        }
        long left = settings.openFor().toNanos() - (nanoClock.getAsLong() - o.openedAt());
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }
}
