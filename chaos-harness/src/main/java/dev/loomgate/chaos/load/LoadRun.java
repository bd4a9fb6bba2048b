package dev.loomgate.chaos.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A running load: lets a scenario inject faults while it runs, then collect the records.
 * Closing it stops scheduling and closes every connection still open.
 */
public final class LoadRun implements AutoCloseable {
    private final LoadConfig config;
    private final EpochClock clock;
    private final AtomicReferenceArray<RequestRecord> slots;
    final AtomicLong scheduled = new AtomicLong();
    final AtomicInteger inFlight = new AtomicInteger();
    final ConnectionPool pool;
    final CountDownLatch schedulerDone = new CountDownLatch(1);
    volatile boolean stopRequested;
    volatile long startEpochMillis;
    private volatile Thread scheduler;

    LoadRun(LoadConfig config, EpochClock clock) {
        this.config = config;
        this.clock = clock;
        this.slots = new AtomicReferenceArray<>((int) Math.min(config.maxRecords(), config.maxRequests()));
        this.pool = new ConnectionPool(config.maxIdle().toNanos(), config.maxInFlight());
    }

    void scheduler(Thread thread) {
        this.scheduler = thread;
    }

    void record(RequestRecord record) {
        if (record.seq() < slots.length()) {
            slots.set((int) record.seq(), record);
        }
    }

    void finished() {
        inFlight.decrementAndGet();
    }

    public LoadConfig config() {
        return config;
    }

    /** The run's clock, so fault timestamps share its time base. */
    public EpochClock clock() {
        return clock;
    }

    public long scheduled() {
        return scheduled.get();
    }

    public int inFlight() {
        return inFlight.get();
    }

    public int openConnections() {
        return pool.openCount();
    }

    /** Stops scheduling new requests; those in flight complete (or time out). */
    public void stop() {
        stopRequested = true;
        Thread t = scheduler;
        if (t != null) {
            t.interrupt();
        }
    }

    /**
     * Waits until scheduling has ended (bounds reached or {@link #stop()}) and every request completed.
     * Requests still running after {@code timeout} have their connections closed and are recorded as resets.
     */
    public LoadResult await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        schedulerDone.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (schedulerDone.getCount() > 0) {
            stop();
            schedulerDone.await(5, TimeUnit.SECONDS);
        }
        long drainDeadline = Math.max(deadline, System.nanoTime() + config.connectTimeout().toNanos()
                + config.readTimeout().toNanos() + 1_000_000_000L);
        waitDrained(drainDeadline);
        pool.close();
        // requests cut by the pool closing record their reset promptly
        waitDrained(System.nanoTime() + 2_000_000_000L);
        return result();
    }

    /** Waits for the configured bounds (duration plus drain time). */
    public LoadResult await() throws InterruptedException {
        return await(config.maxDuration().plus(config.connectTimeout()).plus(config.readTimeout()).plusSeconds(2));
    }

    private void waitDrained(long deadlineNanos) throws InterruptedException {
        // polling keeps this usable from virtual threads without pinning a carrier on a monitor
        while (inFlight.get() > 0 && System.nanoTime() < deadlineNanos) {
            Thread.sleep(10);
        }
    }

    private LoadResult result() {
        List<RequestRecord> records = new ArrayList<>(slots.length());
        for (int i = 0; i < slots.length(); i++) {
            RequestRecord r = slots.get(i);
            if (r != null) {
                records.add(r);
            }
        }
        long total = scheduled.get();
        return new LoadResult(config, records, total, Math.max(0, total - slots.length()),
                startEpochMillis, clock.epochMillis(), stopRequested);
    }

    @Override
    public void close() {
        stop();
        pool.close();
    }
}
