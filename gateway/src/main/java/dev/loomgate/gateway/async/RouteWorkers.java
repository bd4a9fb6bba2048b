package dev.loomgate.gateway.async;

import dev.loomgate.gateway.policy.async.AsyncSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One route's workers on one node: a reader that takes new jobs from the queue as workers become free and takes
 * over deliveries of workers that went silent (their node died), and a maintenance loop that moves jobs whose retry
 * time has come back into the queue and refreshes the queue gauges. At most {@code workers} jobs run at once (a
 * semaphore), each on its own virtual thread; {@code drain-rate} spaces their starts.
 */
final class RouteWorkers implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RouteWorkers.class.getName());
    private static final Duration BLOCK = Duration.ofMillis(1000);
    private static final Duration PAUSE_AFTER_ERROR = Duration.ofMillis(500);

    private final String routeId;
    private final AsyncSettings settings;
    private final WorkerContext node;
    private final JobRunner runner;
    private final AsyncMetrics.Route metrics;
    private final Semaphore free;
    private final Thread reader;
    private final Thread maintenance;
    private volatile boolean running = true;
    private long nextStartNanos = System.nanoTime();

    RouteWorkers(String routeId, AsyncSettings settings, WorkerContext node, JobRunner runner,
                 AsyncMetrics.Route metrics) {
        this.routeId = routeId;
        this.settings = settings;
        this.node = node;
        this.runner = runner;
        this.metrics = metrics;
        this.free = new Semaphore(settings.workers());
        metrics.workers = settings.workers();
        this.reader = Thread.ofVirtual().name("loomgate-async-reader-" + routeId).start(this::readLoop);
        this.maintenance = Thread.ofVirtual().name("loomgate-async-maintenance-" + routeId).start(this::maintain);
    }

    AsyncSettings settings() {
        return settings;
    }

    /**
     * Holds free workers' permits while it reads, so it is also the one that reclaims silent deliveries (every
     * half reclaim-after, at most one second apart), before it asks for new jobs.
     */
    private void readLoop() {
        long reclaimEvery = Math.max(100, Math.min(1000, settings.reclaimAfter().toMillis() / 2)) * 1_000_000L;
        long nextReclaim = System.nanoTime();
        while (running) {
            int permits = 0;
            try {
                if (!free.tryAcquire(BLOCK.toMillis(), TimeUnit.MILLISECONDS)) {
                    continue;
                }
                permits = 1 + free.drainPermits();
                if (System.nanoTime() - nextReclaim >= 0) {
                    nextReclaim = System.nanoTime() + reclaimEvery;
                    permits = reclaim(permits);
                }
                if (permits > 0) {
                    List<JobQueue.Delivery> got = node.queue().take(routeId, node.workerName(), permits,
                            Duration.ofNanos(Math.min(BLOCK.toNanos(), Math.max(1_000_000L, nextReclaim - System.nanoTime()))));
                    permits = dispatch(got, permits);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                pauseAfter(e);
            } finally {
                free.release(permits);
            }
        }
    }

    /** Starts one virtual thread per delivery; returns the permits not handed to a job. */
    private int dispatch(List<JobQueue.Delivery> deliveries, int permits) throws InterruptedException {
        for (JobQueue.Delivery d : deliveries) {
            paceStart();
            permits--;
            Thread.ofVirtual().name("loomgate-async-job").start(() -> {
                try {
                    runner.run(d);
                } catch (RuntimeException e) {
                    // the delivery stays pending: another worker reclaims it after reclaim-after
                    LOG.log(Level.WARNING, "job " + d.jobId() + " of route " + routeId + " was left pending", e);
                } finally {
                    free.release();
                }
            });
        }
        return permits;
    }

    /** drain-rate: at most N starts per second on this node (spaced, not bursty). */
    private void paceStart() throws InterruptedException {
        if (settings.drainRate() <= 0) {
            return;
        }
        long spacing = (long) (1e9 / settings.drainRate());
        long now = System.nanoTime();
        nextStartNanos = Math.max(nextStartNanos, now - spacing);
        long wait = nextStartNanos - now;
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait); // pacing, not waiting for a condition
        }
        nextStartNanos += spacing;
    }

    private void maintain() {
        long period = Math.max(100, Math.min(1000, settings.reclaimAfter().toMillis() / 2));
        while (running) {
            try {
                node.queue().promoteDue(routeId, System.currentTimeMillis(), 1000);
                metrics.depth = node.queue().depth(routeId);
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                try {
                    pauseAfter(e);
                } catch (RuntimeException ignored) {
                    return;
                }
            }
        }
    }

    /** Takes over silent deliveries, as many as the permits held; returns the permits left. */
    private int reclaim(int permits) throws InterruptedException {
        List<JobQueue.Delivery> taken = node.queue().reclaim(routeId, node.workerName(), settings.reclaimAfter(),
                permits);
        if (!taken.isEmpty()) {
            metrics.redeliveries.add(taken.size());
            LOG.info(() -> "route " + routeId + ": took over " + taken.size() + " job(s) from silent workers");
        }
        return dispatch(taken, permits);
    }

    private void pauseAfter(RuntimeException e) {
        if (!running) {
            return;
        }
        LOG.log(Level.FINE, "route " + routeId + ": job queue error: " + e.getMessage(), e);
        try {
            Thread.sleep(PAUSE_AFTER_ERROR); // the broker is failing: do not spin
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ie);
        }
    }

    @Override
    public void close() {
        running = false;
        reader.interrupt();
        maintenance.interrupt();
    }
}
