package dev.loomgate.gateway.consul;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A Consul blocking-query loop on its own virtual thread (SPEC BQ-11): the first read has no
 * index; then each read passes the last {@code X-Consul-Index} with a {@code wait}. An index that
 * went backwards is reset to 0 (a restarted agent would otherwise hold us for the whole wait); a
 * returned index of 0 counts as 1. The listener hears only about data that differs from the last
 * delivered value (an index change alone is a no-op). Errors back off with jitter and re-read
 * from index 0. A token bucket (burst 5, 20 reads/s) keeps a churning key from hot-looping.
 */
public final class BlockingWatch<T> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BlockingWatch.class.getName());

    /** One read: {@code index} 0 means "answer at once". */
    @FunctionalInterface
    public interface Query<T> {
        Indexed<T> fetch(long index, Duration wait) throws ConsulException, InterruptedException;
    }

    public interface Listener<T> {
        /** The data differs from what was last delivered (always called for the first answer). */
        void changed(T value);

        /** A read failed; {@code failures} counts consecutive failures. */
        default void failed(ConsulException error, int failures) {
        }

        /** A read succeeded after failures (called before {@link #changed}, if any). */
        default void recovered() {
        }
    }

    private final String name;
    private final Query<T> query;
    private final Duration wait;
    private final Backoff backoff;
    private final Listener<T> listener;
    private volatile boolean running;
    private volatile Thread thread;
    private volatile long lastIndex;
    private volatile long resets;

    public BlockingWatch(String name, Query<T> query, Duration wait, Backoff backoff, Listener<T> listener) {
        this.name = Objects.requireNonNull(name, "name");
        this.query = Objects.requireNonNull(query, "query");
        this.wait = Objects.requireNonNull(wait, "wait");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    public BlockingWatch<T> start() {
        running = true;
        thread = Thread.ofVirtual().name("consul-watch-" + name).start(this::loop);
        return this;
    }

    /** The index the next read sends (0 after a reset or an error). */
    public long lastIndex() {
        return lastIndex;
    }

    /** How many times the index went backwards and was reset. */
    public long resets() {
        return resets;
    }

    private void loop() {
        long index = 0;
        T last = null;
        boolean delivered = false;
        int failures = 0;
        double tokens = 5;
        long refillAt = System.nanoTime();
        while (running) {
            long now = System.nanoTime();
            tokens = Math.min(5, tokens + (now - refillAt) / 50_000_000.0);
            refillAt = now;
            if (tokens < 1) {
                LockSupport.parkNanos((long) ((1 - tokens) * 50_000_000));
                continue;
            }
            tokens -= 1;
            Indexed<T> r;
            try {
                r = query.fetch(index, wait);
            } catch (ConsulException e) {
                if (!running) {
                    return;
                }
                failures++;
                index = 0;
                lastIndex = 0;
                try {
                    listener.failed(e, failures);
                } catch (RuntimeException le) {
                    LOG.log(Level.WARNING, "watch " + name + ": listener failed", le);
                }
                Duration pause = backoff.delay(failures);
                int f = failures;
                LOG.log(f == 1 ? Level.WARNING : Level.FINE, () -> "watch " + name + ": " + e.getMessage()
                        + " (failure " + f + ", retrying in " + pause.toMillis() + " ms)");
                if (!sleep(pause)) {
                    return;
                }
                continue;
            } catch (InterruptedException e) {
                return;
            }
            if (failures > 0) {
                failures = 0;
                LOG.info(() -> "watch " + name + ": Consul answers again");
                listener.recovered();
            }
            long got = r.index() == 0 ? 1 : r.index();
            if (index != 0 && Long.compareUnsigned(got, index) < 0) {
                long was = index;
                resets++;
                LOG.info(() -> "watch " + name + ": index went backwards (" + Long.toUnsignedString(was) + " -> "
                        + Long.toUnsignedString(got) + "), re-reading from 0");
                index = 0;
            } else {
                index = got;
            }
            lastIndex = index;
            if (!delivered || !Objects.equals(last, r.value())) {
                last = r.value();
                delivered = true;
                try {
                    listener.changed(last);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "watch " + name + ": listener failed", e);
                }
            }
        }
    }

    private boolean sleep(Duration d) {
        try {
            Thread.sleep(d);
            return running;
        } catch (InterruptedException e) {
            return false;
        }
    }

    @Override
    public void close() {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }
}
