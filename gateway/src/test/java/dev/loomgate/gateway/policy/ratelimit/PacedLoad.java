package dev.loomgate.gateway.policy.ratelimit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Open-loop load: each target gets requests on a fixed schedule (one virtual thread per request, so a slow answer
 * does not delay the next send). Counts answers by kind until {@link #stop()}.
 */
final class PacedLoad implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final LongAdder ok = new LongAdder();
    final LongAdder limited = new LongAdder();
    final LongAdder serverErrors = new LongAdder();
    final LongAdder otherStatus = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder degradedHeaders = new LongAdder();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Thread> pacers = new ArrayList<>();
    private final long startNanos = System.nanoTime();
    private volatile long lastSendNanos;

    /** {@code perTargetRate} requests per second to each target. */
    static PacedLoad start(List<URI> targets, int perTargetRate, String... headers) {
        PacedLoad load = new PacedLoad();
        long periodNanos = 1_000_000_000L / perTargetRate;
        for (int t = 0; t < targets.size(); t++) {
            URI target = targets.get(t);
            // stagger the targets so the offered load is even over time
            long offset = periodNanos * t / targets.size();
            load.pacers.add(Thread.ofVirtual().start(() -> load.pace(target, periodNanos, offset, headers)));
        }
        return load;
    }

    private void pace(URI target, long periodNanos, long offset, String[] headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpRequest request = b.build();
        for (long i = 0; !stop.get(); i++) {
            long due = startNanos + offset + i * periodNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(Duration.ofNanos(wait)); // paces the load: the offered rate is part of the test
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (stop.get()) {
                return;
            }
            lastSendNanos = System.nanoTime();
            requests.submit(() -> send(request));
        }
    }

    private void send(HttpRequest request) {
        try {
            HttpResponse<Void> r = HTTP.send(request, HttpResponse.BodyHandlers.discarding());
            int s = r.statusCode();
            if (s == 200) {
                ok.increment();
            } else if (s == 429) {
                limited.increment();
            } else if (s >= 500) {
                serverErrors.increment();
            } else {
                otherStatus.increment();
            }
        } catch (Exception e) {
            failed.increment();
        }
    }

    long total() {
        return ok.sum() + limited.sum() + serverErrors.sum() + otherStatus.sum() + failed.sum();
    }

    /** Stops sending, waits for answers in flight; returns seconds from start to the last send. */
    double stop() throws InterruptedException {
        stop.set(true);
        for (Thread t : pacers) {
            t.join();
        }
        requests.close();
        return (lastSendNanos - startNanos) / 1e9;
    }

    String summary() {
        return "ok=" + ok.sum() + " limited=" + limited.sum() + " 5xx=" + serverErrors.sum() + " other="
                + otherStatus.sum() + " failed=" + failed.sum();
    }

    @Override
    public void close() throws InterruptedException {
        if (!stop.get()) {
            stop();
        }
    }
}
