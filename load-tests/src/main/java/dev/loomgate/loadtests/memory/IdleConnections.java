package dev.loomgate.loadtests.memory;

import dev.loomgate.loadtests.openload.HttpExchange;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many keep-alive client connections held open and idle: each is opened and sends one GET (so the server has a
 * real persistent connection, past its first request), then stays silent until {@link #probe()} sends one more
 * request on each to prove the server kept it. Sources rotate over 127.0.0.2.. so 10,000 sockets do not exhaust
 * the ephemeral ports of one address pair.
 */
final class IdleConnections implements AutoCloseable {
    private static final int PARALLEL = 256;
    private final List<HttpExchange> open;
    private final long failed;
    private final List<String> errorSamples;

    private IdleConnections(List<HttpExchange> open, long failed, List<String> errorSamples) {
        this.open = open;
        this.failed = failed;
        this.errorSamples = errorSamples;
    }

    /** Source address number {@code i} of {@code sources}: 127.0.0.2, 127.0.0.3, ... */
    static InetAddress source(int i, int sources) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i % sources)});
    }

    static IdleConnections open(int port, int count, int sources) throws InterruptedException, UnknownHostException {
        ConcurrentLinkedQueue<HttpExchange> open = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        AtomicLong failed = new AtomicLong();
        Semaphore parallel = new Semaphore(PARALLEL);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                InetAddress from = source(i, sources);
                parallel.acquire();
                threads.submit(() -> {
                    HttpExchange c = null;
                    try {
                        c = HttpExchange.open(from, port, "/", 10_000);
                        c.readTimeoutMillis(30_000);
                        int status = c.get();
                        if (status != 200 || !c.reusable()) {
                            throw new IOException("status " + status + (c.reusable() ? "" : ", Connection: close"));
                        }
                        open.add(c);
                    } catch (IOException | RuntimeException e) {
                        if (c != null) {
                            c.close();
                        }
                        if (failed.incrementAndGet() <= 5) {
                            errors.add(e.toString());
                        }
                    } finally {
                        parallel.release();
                    }
                });
            }
            threads.shutdown();
            if (!threads.awaitTermination(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("opening " + count + " connections took over 5 minutes");
            }
        }
        return new IdleConnections(new ArrayList<>(open), failed.get(), List.copyOf(errors));
    }

    int opened() {
        return open.size();
    }

    long failed() {
        return failed;
    }

    List<String> errorSamples() {
        return errorSamples;
    }

    /** One more GET on every held connection; returns how many did not get a 200 (closed meanwhile, errors). */
    long probe() throws InterruptedException {
        AtomicLong bad = new AtomicLong();
        Semaphore parallel = new Semaphore(PARALLEL);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (HttpExchange c : open) {
                parallel.acquire();
                threads.submit(() -> {
                    try {
                        if (c.get() != 200) {
                            bad.incrementAndGet();
                        }
                    } catch (IOException | RuntimeException e) {
                        bad.incrementAndGet();
                    } finally {
                        parallel.release();
                    }
                });
            }
            threads.shutdown();
            if (!threads.awaitTermination(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("probing the idle connections took over 5 minutes");
            }
        }
        return bad.get();
    }

    @Override
    public void close() {
        open.forEach(HttpExchange::close);
    }
}
