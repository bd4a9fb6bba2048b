package dev.loomgate.gateway.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.loomgate.gateway.upstream.Endpoint;

/**
 * Keep-alive connections per endpoint. Idle connections are reused last-in first-out, so under
 * load a small hot set serves everything and the rest expire instead of churning (no TIME_WAIT
 * storm). A semaphore bounds the connections in use per endpoint. A watchdog enforces the response
 * timeout of every read (see {@link HttpInput}): it fires at most {@link #WATCHDOG_TICK_MILLIS} late.
 */
final class ConnectionPool implements AutoCloseable {
    /** Connections idle longer than this are probed before reuse. */
    private static final long PROBE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long WATCHDOG_TICK_MILLIS = 10;

    private final ClientSettings settings;
    // keyed by the endpoint value itself: building a host:port string per request showed in profiles
    private final Map<Endpoint, EndpointPool> pools = new ConcurrentHashMap<>();
    private final LongAdder opened = new LongAdder();
    /** Every open connection, pooled or in use: what the watchdog checks (changes per connection, not per request). */
    private final Set<HttpConnection> open = ConcurrentHashMap.newKeySet();
    private final Thread reaper;
    private final Thread watchdog;
    private volatile boolean closed;

    ConnectionPool(ClientSettings settings) {
        this.settings = settings;
        this.reaper = Thread.ofVirtual().name("loomgate-pool-reaper").start(this::reapLoop);
        this.watchdog = Thread.ofVirtual().name("loomgate-pool-read-watchdog").start(this::watchReads);
    }

    HttpConnection acquire(Endpoint endpoint) throws UpstreamException {
        return acquire(endpoint, settings.connectTimeout());
    }

    /** @param connectTimeout bounds both the wait for a pool permit and the TCP connect */
    HttpConnection acquire(Endpoint endpoint, java.time.Duration connectTimeout) throws UpstreamException {
        EndpointPool pool = pools.computeIfAbsent(endpoint, k -> new EndpointPool(settings.maxConnectionsPerEndpoint()));
        long timeoutMs = connectTimeout.toMillis();
        try {
            if (!pool.permits.tryAcquire(timeoutMs, TimeUnit.MILLISECONDS)) {
                throw new UpstreamException(UpstreamException.Kind.POOL_EXHAUSTED,
                        "all " + settings.maxConnectionsPerEndpoint() + " connections to " + endpoint.id() + " are busy");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException(UpstreamException.Kind.POOL_EXHAUSTED, "interrupted waiting for a connection");
        }
        try {
            HttpConnection c;
            while ((c = pool.idle.pollFirst()) != null) {
                pool.idleCount.decrementAndGet();
                long idle = c.idleNanos();
                if (idle > settings.idleTimeout().toNanos() || (idle > PROBE_AFTER_NANOS && !c.stillOpen())) {
                    c.close();
                    continue;
                }
                return c;
            }
            return connect(endpoint, connectTimeout);
        } catch (UpstreamException | RuntimeException e) {
            pool.permits.release();
            throw e;
        }
    }

    /** Returns a connection whose last exchange completed cleanly. */
    void release(HttpConnection c) {
        EndpointPool pool = pools.get(c.endpoint());
        if (pool == null) {
            c.close();
            return;
        }
        // back in the idle deque before the permit is released, so the next permit holder finds it
        // instead of opening another connection
        if (closed || c.isClosed() || pool.idleCount.incrementAndGet() > settings.maxConnectionsPerEndpoint()) {
            if (!closed && !c.isClosed()) {
                pool.idleCount.decrementAndGet();
            }
            c.close();
        } else {
            c.markIdle();
            pool.idle.offerFirst(c);
        }
        pool.permits.release();
    }

    /** Discards a connection that must not be reused. */
    void discard(HttpConnection c) {
        c.close();
        EndpointPool pool = pools.get(c.endpoint());
        if (pool != null) {
            pool.permits.release();
        }
    }

    /** Connections opened since start: a steady value under steady load means no churn. */
    long connectionsOpened() {
        return opened.sum();
    }

    int idleConnections() {
        return pools.values().stream().mapToInt(p -> p.idleCount.get()).sum();
    }

    private HttpConnection connect(Endpoint endpoint, java.time.Duration connectTimeout) throws UpstreamException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()),
                    (int) Math.max(1, connectTimeout.toMillis()));
            opened.increment();
            return new HttpConnection(endpoint, socket, open);
        } catch (SocketTimeoutException e) {
            closeQuietly(socket);
            throw new UpstreamException(UpstreamException.Kind.CONNECT_TIMEOUT,
                    "connect to " + endpoint.id() + " timed out after " + connectTimeout.toMillis() + " ms", e);
        } catch (ConnectException e) {
            closeQuietly(socket);
            throw new UpstreamException(UpstreamException.Kind.CONNECT_FAILED,
                    "connect to " + endpoint.id() + " failed: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            throw new UpstreamException(UpstreamException.Kind.CONNECT_FAILED,
                    "connect to " + endpoint.id() + " failed: " + e, e);
        }
    }

    private void watchReads() {
        while (!closed) {
            try {
                Thread.sleep(WATCHDOG_TICK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (HttpConnection c : open) {
                c.expireReadIfOverdue(now);
            }
        }
    }

    private void reapLoop() {
        long period = Math.max(250, settings.idleTimeout().toMillis() / 2);
        while (!closed) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            long limit = settings.idleTimeout().toNanos();
            for (EndpointPool pool : pools.values()) {
                // the oldest idle connections sit at the tail
                HttpConnection c;
                while ((c = pool.idle.peekLast()) != null && c.idleNanos() > limit) {
                    if (pool.idle.removeLastOccurrence(c)) {
                        pool.idleCount.decrementAndGet();
                        c.close();
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        reaper.interrupt();
        watchdog.interrupt();
        for (EndpointPool pool : pools.values()) {
            HttpConnection c;
            while ((c = pool.idle.pollFirst()) != null) {
                c.close();
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // discarded anyway
        }
    }

    private static final class EndpointPool {
        final ConcurrentLinkedDeque<HttpConnection> idle = new ConcurrentLinkedDeque<>();
        final AtomicInteger idleCount = new AtomicInteger();
        final Semaphore permits;

        EndpointPool(int max) {
            // fair: requests waiting for a connection get one in arrival order, so none starves behind
            // later arrivals barging in (seen as rare >1 s waits with 2000 requests over 16 connections)
            permits = new Semaphore(max, true);
        }
    }
}
