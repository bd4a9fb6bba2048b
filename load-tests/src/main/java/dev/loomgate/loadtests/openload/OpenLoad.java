package dev.loomgate.loadtests.openload;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-model (constant arrival rate) HTTP load, as wrk2 does it: request {@code i} is due at
 * {@code start + i / rate}; {@code connections} virtual threads, each with one keep-alive connection, take the next
 * due request, wait for its time if it is ahead, send it and record the latency from its intended start. When all
 * connections are busy the due requests wait, and that wait is part of their latency.
 */
public final class OpenLoad {
    private static final int MAX_ERROR_SAMPLES = 5;

    /**
     * @param port         127.0.0.1 port
     * @param path         request path
     * @param rate         requests per second
     * @param duration     how long to offer load
     * @param connections  connections (and virtual threads)
     */
    public record Plan(int port, String path, double rate, Duration duration, int connections) {
        public Plan {
            if (rate <= 0 || connections <= 0 || duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("rate, connections and duration must be > 0");
            }
        }
    }

    private OpenLoad() {
    }

    public static OpenLoadResult run(Plan plan) throws InterruptedException {
        long total = Math.max(1, (long) (plan.rate() * plan.duration().toNanos() / 1e9));
        double intervalNanos = 1e9 / plan.rate();
        LatencyHistogram latency = new LatencyHistogram();
        LatencyHistogram lag = new LatencyHistogram();
        AtomicLong next = new AtomicLong();
        AtomicLong completed = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong lastDone = new AtomicLong();
        List<String> samples = new CopyOnWriteArrayList<>();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        long start = System.nanoTime() + 20_000_000L; // every connection is open by then
        List<HttpExchange> open = new CopyOnWriteArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < plan.connections(); c++) {
                threads.submit(() -> {
                    HttpExchange conn = null;
                    try {
                        for (long i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                            long due = start + (long) (i * intervalNanos);
                            for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
                                LockSupport.parkNanos(due - now);
                            }
                            lag.record((System.nanoTime() - due) / 1000);
                            try {
                                if (conn == null) {
                                    conn = HttpExchange.open(loopback, plan.port(), plan.path(), 5000);
                                    conn.readTimeoutMillis(30_000);
                                    open.add(conn);
                                }
                                int status = conn.get();
                                long done = System.nanoTime();
                                latency.record((done - due) / 1000);
                                lastDone.accumulateAndGet(done, Math::max);
                                if (status / 100 == 2) {
                                    completed.incrementAndGet();
                                } else {
                                    error(errors, samples, "status " + status);
                                }
                                if (!conn.reusable()) {
                                    conn.close();
                                    conn = null;
                                }
                            } catch (IOException | RuntimeException e) {
                                latency.record((System.nanoTime() - due) / 1000);
                                error(errors, samples, e.toString());
                                if (conn != null) {
                                    conn.close();
                                    conn = null;
                                }
                            }
                        }
                    } finally {
                        if (conn != null) {
                            conn.close();
                        }
                    }
                    return null;
                });
            }
            threads.shutdown();
            long budget = plan.duration().toSeconds() + 60;
            if (!threads.awaitTermination(budget, TimeUnit.SECONDS)) {
                open.forEach(HttpExchange::close); // unblocks the readers
                threads.shutdownNow();
                throw new IllegalStateException("open-model load did not finish within " + budget + " s");
            }
        }
        double seconds = Math.max(1, lastDone.get() - start) / 1e9;
        return new OpenLoadResult(plan.rate(), completed.get() / seconds, completed.get(), errors.get(), latency, lag,
                List.copyOf(new ArrayList<>(samples)));
    }

    private static void error(AtomicLong errors, List<String> samples, String what) {
        if (errors.incrementAndGet() <= MAX_ERROR_SAMPLES) {
            samples.add(what);
        }
    }
}
