package dev.loomgate.gateway.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.loomgate.gateway.tls.ClientTls;
import dev.loomgate.gateway.tls.TlsHandshakeException;
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
    /** TLS connections, per TLS settings and endpoint: never handed to a plain exchange or another upstream's TLS. */
    private final Map<Secure, EndpointPool> securePools = new ConcurrentHashMap<>();
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
        return acquire(pool, endpoint, Optional.empty(), connectTimeout);
    }

    /** A TLS connection made with {@code tls}; {@code connectTimeout} also bounds the handshake. */
    HttpConnection acquire(Endpoint endpoint, ClientTls tls, java.time.Duration connectTimeout) throws UpstreamException {
        EndpointPool pool = securePools.computeIfAbsent(new Secure(tls, endpoint),
                k -> new EndpointPool(settings.maxConnectionsPerEndpoint()));
        return acquire(pool, endpoint, Optional.of(tls), connectTimeout);
    }

    private record Secure(ClientTls tls, Endpoint endpoint) {
    }

    private HttpConnection acquire(EndpointPool pool, Endpoint endpoint, Optional<ClientTls> tls,
                                   java.time.Duration connectTimeout) throws UpstreamException {
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
            return connect(pool, endpoint, tls, connectTimeout);
        } catch (UpstreamException | RuntimeException e) {
            pool.permits.release();
            throw e;
        }
    }

    /** Returns a connection whose last exchange completed cleanly. */
    void release(HttpConnection c) {
        EndpointPool pool = c.pool();
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
        c.pool().permits.release();
    }

    /** Connections opened since start: a steady value under steady load means no churn. */
    long connectionsOpened() {
        return opened.sum();
    }

    int idleConnections() {
        return java.util.stream.Stream.concat(pools.values().stream(), securePools.values().stream())
                .mapToInt(p -> p.idleCount.get()).sum();
    }

    private HttpConnection connect(EndpointPool pool, Endpoint endpoint, Optional<ClientTls> tls,
                                   java.time.Duration connectTimeout) throws UpstreamException {
        Socket socket = new Socket();
        long start = System.nanoTime();
        boolean connected = false;
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()),
                    (int) Math.max(1, connectTimeout.toMillis()));
            connected = true;
            opened.increment();
            if (tls.isEmpty()) {
                return new HttpConnection(endpoint, pool, socket, socket, open);
            }
            // the handshake gets what is left of the connect timeout: a server that accepts and never answers
            // the ClientHello costs at most the connect timeout, like one that never accepts
            int left = (int) Math.max(1, connectTimeout.toMillis() - (System.nanoTime() - start) / 1_000_000);
            Socket ssl = tls.get().handshake(socket, endpoint.host(), endpoint.port(), left);
            return new HttpConnection(endpoint, pool, socket, ssl, open);
        } catch (TlsHandshakeException e) {
            closeQuietly(socket);
            throw new UpstreamException(UpstreamException.Kind.TLS_FAILED,
                    "TLS handshake with " + endpoint.id() + " failed: " + e.getMessage(), e);
        } catch (SocketTimeoutException e) {
            closeQuietly(socket);
            throw new UpstreamException(UpstreamException.Kind.CONNECT_TIMEOUT, (connected ? "TLS handshake with "
                    : "connect to ") + endpoint.id() + " timed out after " + connectTimeout.toMillis() + " ms", e);
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
            for (EndpointPool pool : (Iterable<EndpointPool>) java.util.stream.Stream.concat(pools.values().stream(),
                    securePools.values().stream())::iterator) {
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
        for (EndpointPool pool : (Iterable<EndpointPool>) java.util.stream.Stream.concat(pools.values().stream(),
                securePools.values().stream())::iterator) {
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

    static final class EndpointPool {
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
