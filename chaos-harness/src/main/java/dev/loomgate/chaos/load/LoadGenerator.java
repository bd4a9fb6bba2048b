package dev.loomgate.chaos.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-model load: one platform scheduler thread issues requests at exact {@code 1/rate} intervals and hands
 * each to its own virtual thread, so a slow or hung response never lowers the offered rate. Above the
 * in-flight cap a request is recorded as dropped instead of queued.
 */
public final class LoadGenerator {
    private LoadGenerator() {
    }

    /** Runs to the configured bounds and returns the records. */
    public static LoadResult run(LoadConfig config) throws InterruptedException {
        try (LoadRun run = start(config)) {
            return run.await();
        }
    }

    /** Starts the run in the background; inject faults, then {@link LoadRun#await()}. */
    public static LoadRun start(LoadConfig config) {
        LoadRun run = new LoadRun(config, new EpochClock());
        Thread scheduler = Thread.ofPlatform().name("chaos-load-scheduler").daemon(true)
                .unstarted(() -> schedule(config, run));
        run.scheduler(scheduler);
        scheduler.start();
        return run;
    }

    private static void schedule(LoadConfig config, LoadRun run) {
        try {
            SplittableRandom random = new SplittableRandom(config.seed());
            List<RequestKind> wheel = kindWheel(config);
            long interval = config.intervalNanos();
            long startNano = System.nanoTime();
            long endNano = startNano + config.maxDuration().toNanos();
            run.startEpochMillis = run.clock().toEpochNanos(startNano) / 1_000_000L;
            for (long seq = 0; seq < config.maxRequests() && !run.stopRequested; seq++) {
                long due = startNano + seq * interval;
                if (due >= endNano) {
                    break;
                }
                waitUntil(due);
                if (run.stopRequested) {
                    break;
                }
                RequestKind kind = wheel.get(random.nextInt(wheel.size()));
                boolean fresh = random.nextDouble() < config.newConnectionShare();
                long scheduledEpoch = run.clock().toEpochNanos(due);
                run.scheduled.incrementAndGet();
                if (run.inFlight.get() >= config.maxInFlight()) {
                    run.record(new RequestRecord(seq, kind, scheduledEpoch, scheduledEpoch, 0, 0,
                            ErrorClass.DROPPED_IN_FLIGHT_CAP, Optional.empty(), Optional.empty(), false, false));
                    continue;
                }
                run.inFlight.incrementAndGet();
                long s = seq;
                Thread.ofVirtual().name("chaos-req-", seq).start(() -> {
                    try {
                        run.record(new RequestTask(config, run, s, kind, scheduledEpoch, fresh).call());
                    } finally {
                        run.finished();
                    }
                });
            }
        } finally {
            run.schedulerDone.countDown();
        }
    }

    private static void waitUntil(long dueNano) {
        for (long left = dueNano - System.nanoTime(); left > 0; left = dueNano - System.nanoTime()) {
            LockSupport.parkNanos(left);
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }

    /** Kinds repeated by weight, so a uniform pick follows the mix. */
    private static List<RequestKind> kindWheel(LoadConfig config) {
        List<RequestKind> wheel = new ArrayList<>();
        for (RequestKind kind : RequestKind.values()) {
            for (int i = 0; i < config.weights().getOrDefault(kind, 0); i++) {
                wheel.add(kind);
            }
        }
        return List.copyOf(wheel);
    }

    /** One request on its virtual thread: connect or reuse, exchange, classify. */
    private record RequestTask(LoadConfig config, LoadRun run, long seq, RequestKind kind, long scheduledEpoch,
                               boolean fresh) {

        RequestRecord call() {
            EpochClock clock = run.clock();
            long start = clock.epochNanos();
            Map<String, String> headers = new LinkedHashMap<>();
            if (kind == RequestKind.POST_IDEMPOTENT) {
                headers.put(config.idempotencyHeader(), UUID.randomUUID().toString());
            }
            String body = kind.method().equals("POST") ? config.postBody() : "";
            byte[] request = HttpConnection.request(kind.method(), config.host(), config.port(),
                    config.paths().get(kind), headers, body);
            boolean opened = false;
            boolean staleRetried = false;
            try {
                Optional<HttpConnection> pooled = fresh ? Optional.empty() : run.pool.borrow();
                HttpConnection connection;
                if (pooled.isPresent()) {
                    connection = pooled.get();
                } else {
                    opened = true;
                    connection = connect();
                }
                HttpConnection.Response response;
                try {
                    response = exchange(connection, request);
                } catch (TransportException e) {
                    // a pooled connection the server already closed: real clients re-send idempotent requests once
                    if (opened || !e.beforeResponse() || !kind.idempotent() || e.errorClass() == ErrorClass.READ_TIMEOUT) {
                        throw e;
                    }
                    staleRetried = true;
                    opened = true;
                    connection = connect();
                    response = exchange(connection, request);
                }
                if (fresh || !response.keepAlive()) {
                    run.pool.discard(connection);
                } else {
                    run.pool.giveBack(connection);
                }
                long latency = clock.epochNanos() - start;
                return new RequestRecord(seq, kind, scheduledEpoch, start, latency, response.status(), ErrorClass.NONE,
                        header(response, config.nodeHeader()), header(response, config.lbHeader()), opened, staleRetried);
            } catch (TransportException e) {
                long latency = clock.epochNanos() - start;
                return new RequestRecord(seq, kind, scheduledEpoch, start, latency, 0, e.errorClass(),
                        Optional.empty(), Optional.empty(), opened, staleRetried);
            }
        }

        private HttpConnection connect() throws TransportException {
            HttpConnection c = HttpConnection.open(config.host(), config.port(), (int) config.connectTimeout().toMillis());
            run.pool.opened(c);
            return c;
        }

        private HttpConnection.Response exchange(HttpConnection connection, byte[] request) throws TransportException {
            try {
                return connection.exchange(request, false, (int) config.readTimeout().toMillis());
            } catch (TransportException e) {
                run.pool.discard(connection);
                throw e;
            }
        }

        private static Optional<String> header(HttpConnection.Response response, String name) {
            return Optional.ofNullable(response.headers().get(name.toLowerCase(java.util.Locale.ROOT)));
        }
    }
}
