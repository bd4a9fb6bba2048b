package dev.loomgate.consul.standin.store;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The stand-in's whole replicated state behind one lock, with one Raft-like index that grows on every state change.
 * Blocking queries wait on a condition of that lock, so a virtual thread parks without pinning a carrier.
 */
public final class Store {
    /** Consul's DefaultQueryTime. */
    public static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
    /** Consul's MaxQueryTime. */
    public static final Duration MAX_WAIT = Duration.ofMinutes(10);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final KvStore kv;
    private final Catalog catalog;
    private final Sessions sessions;
    long lastIndex;
    private long wakeGeneration;

    /**
     * A query result and the index of the data it depends on. {@code changeIndex} is what a blocking query compares
     * with the client's index; it differs from the reported index only for a missing KV key (see KvStore#get).
     */
    public record Indexed<T>(T value, long index, long changeIndex) {
        public Indexed {
            index = Math.max(index, 1);
        }

        public Indexed(T value, long index) {
            this(value, index, Math.max(index, 1));
        }
    }

    /** One state change; every change in it shares one index, like one Raft log entry. */
    public final class Tx {
        private long index;

        public long index() {
            if (index == 0) {
                lastIndex++;
                index = lastIndex;
            }
            return index;
        }

        boolean wrote() {
            return index != 0;
        }
    }

    public Store(NodeIdentity node) {
        this.kv = new KvStore(this);
        this.sessions = new Sessions(this);
        this.catalog = new Catalog(this, node);
        // a fresh cluster has already committed a few entries (leader election, node registration)
        lastIndex = 12;
        mutate(tx -> {
            catalog.bootstrap(tx);
            return null;
        });
    }

    public KvStore kv() {
        return kv;
    }

    public Catalog catalog() {
        return catalog;
    }

    public Sessions sessions() {
        return sessions;
    }

    /** Reads under the lock. */
    public <T> T read(Supplier<T> query) {
        lock.lock();
        try {
            return query.get();
        } finally {
            lock.unlock();
        }
    }

    /** Changes state under the lock; watchers are woken if the change took an index. */
    public <T> T mutate(Function<Tx, T> change) {
        lock.lock();
        try {
            Tx tx = new Tx();
            T result = change.apply(tx);
            if (tx.wrote()) {
                changed.signalAll();
            }
            return result;
        } finally {
            lock.unlock();
        }
    }

    /** The last index handed out. */
    public long lastIndex() {
        return read(() -> lastIndex);
    }

    /**
     * Makes every blocking query that is waiting return now with its current (maybe unchanged) data, as real
     * Consul sometimes does (SPEC BQ-9), so that clients' "index did not grow" path can be tested.
     */
    public void wakeAllWatchers() {
        lock.lock();
        try {
            wakeGeneration++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Consul's blocking-query loop (SPEC BQ-5): returns at once for index 0, else when the result's index passes
     * {@code minIndex} or when the wait (defaulted, capped, plus up to wait/16 jitter) runs out.
     */
    public <T> Indexed<T> blocking(long minIndex, Duration wait, Supplier<Indexed<T>> query) {
        lock.lock();
        try {
            Indexed<T> result = query.get();
            if (minIndex == 0) {
                return result;
            }
            long deadline = System.nanoTime() + withJitter(wait).toNanos();
            long generation = wakeGeneration;
            while (Long.compareUnsigned(result.changeIndex(), minIndex) <= 0) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0 || generation != wakeGeneration) {
                    return result;
                }
                try {
                    changed.awaitNanos(remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return result;
                }
                result = query.get();
            }
            return result;
        } finally {
            lock.unlock();
        }
    }

    /** Applies the default and the cap (BQ-3), then adds jitter in [0, wait/16) (BQ-4). */
    public static Duration withJitter(Duration requested) {
        Duration wait = requested.isNegative() || requested.isZero() ? DEFAULT_WAIT : requested;
        if (wait.compareTo(MAX_WAIT) > 0) {
            wait = MAX_WAIT;
        }
        long jitterBound = wait.toNanos() / 16;
        long jitter = jitterBound > 0 ? ThreadLocalRandom.current().nextLong(jitterBound) : 0;
        return wait.plusNanos(jitter);
    }

    /** Waits for any change (used by background tasks that must notice new checks or sessions). */
    boolean awaitChange(long timeout, TimeUnit unit) throws InterruptedException {
        lock.lock();
        try {
            return changed.await(timeout, unit);
        } finally {
            lock.unlock();
        }
    }
}
