package dev.loomgate.gateway.ratelimit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Guards request threads from a dead or slow Redis. CLOSED: calls go to Redis; {@code threshold} consecutive failed
 * or over-budget calls open it. OPEN: calls go straight to the fallback while a background virtual thread pings
 * Redis every {@code probeInterval}; a successful ping moves to HALF_OPEN. HALF_OPEN: exactly one request at a time
 * tries Redis; success closes the breaker, failure re-opens it. Lock-free; state changes are CAS'd so each
 * transition (and its log line) happens once.
 */
final class RedisCircuitBreaker implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RedisCircuitBreaker.class.getName());

    enum State { CLOSED, OPEN, HALF_OPEN }

    /** What a caller may do: use Redis normally, use Redis as the half-open trial, or use the fallback. */
    enum Permit { REDIS, TRIAL, FALLBACK }

    /** Notified on entering and leaving degraded mode. */
    interface Listener {
        void degraded(String reason);

        void recovered(Duration degradedFor);
    }

    private final int threshold;
    private final Duration probeInterval;
    private final BooleanSupplier probe;
    private final Listener listener;
    private final AtomicReference<State> state = new AtomicReference<>(State.CLOSED);
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicBoolean trialInFlight = new AtomicBoolean();
    private volatile boolean closed;
    private volatile long degradedSinceNanos;
    private volatile Thread prober;

    RedisCircuitBreaker(int threshold, Duration probeInterval, BooleanSupplier probe, Listener listener) {
        this.threshold = threshold;
        this.probeInterval = probeInterval;
        this.probe = probe;
        this.listener = listener;
    }

    State state() {
        return state.get();
    }

    Permit permit() {
        return switch (state.get()) {
            case CLOSED -> Permit.REDIS;
            case OPEN -> Permit.FALLBACK;
            case HALF_OPEN -> trialInFlight.compareAndSet(false, true) ? Permit.TRIAL : Permit.FALLBACK;
        };
    }

    /** Reports how a Redis call that had a REDIS or TRIAL permit went. */
    void record(Permit permit, boolean failed, boolean slow, String reason) {
        if (permit == Permit.TRIAL) {
            trialInFlight.set(false);
            if (!failed && !slow) {
                if (state.compareAndSet(State.HALF_OPEN, State.CLOSED)) {
                    consecutiveFailures.set(0);
                    listener.recovered(Duration.ofNanos(System.nanoTime() - degradedSinceNanos));
                }
            } else if (state.compareAndSet(State.HALF_OPEN, State.OPEN)) {
                startProbing();
            }
            return;
        }
        if (permit != Permit.REDIS) {
            return;
        }
        if (!failed && !slow) {
            if (consecutiveFailures.get() != 0) {
                consecutiveFailures.set(0);
            }
        } else if (consecutiveFailures.incrementAndGet() >= threshold) {
            open(reason);
        }
    }

    /** Opens at once, e.g. when there is no Redis connection to try at all. */
    void open(String reason) {
        if (state.compareAndSet(State.CLOSED, State.OPEN)) {
            degradedSinceNanos = System.nanoTime();
            listener.degraded(reason);
            startProbing();
        }
    }

    private void startProbing() {
        if (closed) {
            return;
        }
        prober = Thread.ofVirtual().name("loomgate-redis-probe").start(this::probeUntilAnswered);
    }

    private void probeUntilAnswered() {
        while (!closed && state.get() == State.OPEN) {
            try {
                Thread.sleep(probeInterval);
            } catch (InterruptedException e) {
                return;
            }
            boolean answered;
            try {
                answered = probe.getAsBoolean();
            } catch (RuntimeException e) {
                answered = false;
            }
            if (answered && !closed) {
                state.compareAndSet(State.OPEN, State.HALF_OPEN);
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread t = prober;
        if (t != null) {
            t.interrupt();
        }
    }

    static void logDegraded(String what, String reason) {
        LOG.log(System.Logger.Level.WARNING, what + ": Redis unavailable, rate limits now decided locally per policy"
                + " fallback (" + reason + ")");
    }

    static void logRecovered(String what, Duration degradedFor) {
        LOG.log(System.Logger.Level.INFO, what + ": Redis answers again, rate limits back on Redis after "
                + degradedFor.toMillis() + " ms degraded");
    }
}
