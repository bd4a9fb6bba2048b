package dev.loomgate.loadtests.openload;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-model (constant arrival rate) HTTP load, as wrk2 does it: request {@code i} is due at
 * {@code start + i / rate} and its latency counts from then, so a stall of the server delays, and shows in, every
 * request due during it (no coordinated omission). One thread and one selector drive {@code connections}
 * keep-alive connections, one request in flight on each: a due request goes out on an idle connection; when
 * every connection is busy it waits, and the wait is part of its latency. Non-blocking so that the generator
 * costs little CPU on a 2-core machine shared with the servers it measures.
 */
public final class OpenLoad {
    private static final int MAX_ERROR_SAMPLES = 5;
    private static final long SELECT_MS_ABOVE_NANOS = 1_000_000;

    /**
     * @param port         127.0.0.1 port
     * @param path         request path
     * @param rate         requests per second
     * @param duration     how long to offer load
     * @param connections  keep-alive connections
     */
    public record Plan(int port, String path, double rate, Duration duration, int connections) {
        public Plan {
            if (rate <= 0 || connections <= 0 || duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("rate, connections and duration must be > 0");
            }
        }
    }

    /** One connection slot: its channel (reopened after a close) and the response being received. */
    private static final class Slot {
        SocketChannel channel;
        SelectionKey key;
        long due;
        byte[] buf = new byte[4096];
        int len;
    }

    private final Plan plan;
    private final Selector selector;
    private final ByteBuffer request;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private final LatencyHistogram latency = new LatencyHistogram();
    private final LatencyHistogram lag = new LatencyHistogram();
    private final List<String> samples = new ArrayList<>();
    private long completed;
    private long errors;
    private long lastDone;

    private OpenLoad(Plan plan, Selector selector) {
        this.plan = plan;
        this.selector = selector;
        this.request = ByteBuffer.wrap(HttpExchange.requestBytes(plan.port(), plan.path())).asReadOnlyBuffer();
    }

    public static OpenLoadResult run(Plan plan) throws InterruptedException {
        try (Selector selector = Selector.open()) {
            return new OpenLoad(plan, selector).drive();
        } catch (IOException e) {
            throw new IllegalStateException("open-model load: " + e, e);
        }
    }

    private OpenLoadResult drive() throws IOException, InterruptedException {
        long total = Math.max(1, (long) (plan.rate() * plan.duration().toNanos() / 1e9));
        double interval = 1e9 / plan.rate();
        Deque<Slot> idle = new ArrayDeque<>();
        for (int i = 0; i < plan.connections(); i++) {
            idle.add(new Slot());
        }
        long start = System.nanoTime() + 20_000_000L;
        long deadline = start + plan.duration().toNanos() + 60_000_000_000L;
        long next = 0;
        while (completed + errors < total) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            long now = System.nanoTime();
            if (now > deadline) {
                closeAll(idle);
                throw new IllegalStateException("open-model load did not finish within " + plan.duration().toSeconds()
                        + " s + 60 s (" + (completed + errors) + " of " + total + " requests answered)");
            }
            while (next < total && !idle.isEmpty() && start + (long) (next * interval) <= now) {
                long due = start + (long) (next++ * interval);
                lag.record((now - due) / 1000);
                send(idle, idle.poll(), due);
            }
            long wait = next < total && !idle.isEmpty() ? start + (long) (next * interval) - System.nanoTime() : Long.MAX_VALUE;
            if (wait >= SELECT_MS_ABOVE_NANOS) {
                // epoll's timeout is in ms: it returns at once when a response arrives, the next send can wait
                selector.select(wait == Long.MAX_VALUE ? 1000 : wait / 1_000_000);
            } else if (wait > 0 && selector.selectNow() == 0) {
                LockSupport.parkNanos(wait);
                selector.selectNow();
            } else {
                selector.selectNow();
            }
            for (SelectionKey key : selector.selectedKeys()) {
                receive((Slot) key.attachment(), idle);
            }
            selector.selectedKeys().clear();
        }
        closeAll(idle);
        double seconds = Math.max(1, lastDone - start) / 1e9;
        return new OpenLoadResult(plan.rate(), completed / seconds, completed, errors, latency, lag, List.copyOf(samples));
    }

    private void send(Deque<Slot> idle, Slot s, long due) {
        s.due = due;
        s.len = 0;
        try {
            if (s.channel == null) {
                SocketChannel ch = SocketChannel.open();
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.socket().connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), plan.port()), 5000);
                ch.configureBlocking(false);
                s.channel = ch;
                s.key = ch.register(selector, SelectionKey.OP_READ, s);
            }
            ByteBuffer req = request.duplicate();
            while (req.hasRemaining()) {
                if (s.channel.write(req) == 0) {
                    Thread.onSpinWait(); // a ~60-byte request into an empty socket buffer: does not happen in practice
                }
            }
        } catch (IOException e) {
            fail(s, idle, e.toString());
        }
    }

    private void receive(Slot s, Deque<Slot> idle) {
        try {
            readBuffer.clear();
            int n = s.channel.read(readBuffer);
            if (n < 0) {
                fail(s, idle, "connection closed by the server");
                return;
            }
            readBuffer.flip();
            if (s.len + n > s.buf.length) {
                s.buf = Arrays.copyOf(s.buf, Math.max(s.buf.length * 2, s.len + n));
            }
            readBuffer.get(s.buf, s.len, n);
            s.len += n;
            ResponseFraming.Complete r = ResponseFraming.parse(s.buf, s.len);
            if (r == null) {
                return;
            }
            long done = System.nanoTime();
            latency.record((done - s.due) / 1000);
            lastDone = Math.max(lastDone, done);
            if (r.status() / 100 == 2) {
                completed++;
            } else {
                error("status " + r.status());
            }
            if (r.close() || r.length() != s.len) {
                close(s); // closed by the server, or bytes after the response: start clean
            }
            idle.add(s);
        } catch (IOException | RuntimeException e) {
            fail(s, idle, e.toString());
        }
    }

    /** The in-flight request of {@code s} failed: counted with its latency so far; the slot reconnects on its next send. */
    private void fail(Slot s, Deque<Slot> idle, String what) {
        long done = System.nanoTime();
        latency.record((done - s.due) / 1000);
        lastDone = Math.max(lastDone, done);
        error(what);
        close(s);
        idle.add(s);
    }

    private void error(String what) {
        if (++errors <= MAX_ERROR_SAMPLES) {
            samples.add(what);
        }
    }

    private static void close(Slot s) {
        if (s.channel != null) {
            s.key.cancel();
            try {
                s.channel.close();
            } catch (IOException e) {
                // closing a benchmark socket: nothing to do
            }
            s.channel = null;
        }
    }

    private void closeAll(Deque<Slot> idle) {
        idle.forEach(OpenLoad::close);
        for (SelectionKey k : selector.keys()) {
            close((Slot) k.attachment());
        }
    }
}
