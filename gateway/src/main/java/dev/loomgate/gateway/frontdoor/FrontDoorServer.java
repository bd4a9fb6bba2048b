package dev.loomgate.gateway.frontdoor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.loomgate.gateway.tls.ServerTls;

/**
 * The proxy listener: a strict HTTP/1.x server with one virtual thread per connection. Caps open
 * connections in total (excess: 503 and close) and per client IP (excess: 429 and close), enforces
 * the write and read timeouts with a watchdog, and stops gracefully: no new connections, idle keep-alive
 * connections closed at once, in-flight requests given {@code stopGrace} to finish.
 */
public final class FrontDoorServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FrontDoorServer.class.getName());

    private final FrontDoorSettings settings;
    /** TLS on this listener ({@code front-door.tls}); certificates reload while connections keep running. */
    private final Optional<ServerTls> tls;
    private final FrontDoorHandler handler;
    private final RequestHeadParser parser;
    private final Set<ClientConnection> connections = ConcurrentHashMap.newKeySet();
    private final Map<InetAddress, AtomicInteger> perClient = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong refusedConnections = new AtomicLong();
    private final AtomicLong writeTimeouts = new AtomicLong();
    private volatile boolean stopping;
    private ServerSocket serverSocket;
    private Thread acceptor;
    private Thread watchdog;

    public FrontDoorServer(FrontDoorSettings settings, FrontDoorHandler handler) {
        this(settings, Optional.empty(), handler);
    }

    /** A listener that speaks TLS with {@code tls}'s current certificates. */
    public FrontDoorServer(FrontDoorSettings settings, ServerTls tls, FrontDoorHandler handler) {
        this(settings, Optional.of(tls), handler);
    }

    private FrontDoorServer(FrontDoorSettings settings, Optional<ServerTls> tls, FrontDoorHandler handler) {
        this.settings = settings;
        this.tls = tls;
        this.handler = handler;
        this.parser = new RequestHeadParser(settings);
    }

    /** Binds and starts accepting; a bind failure is an IOException (the node must not start). */
    public void start() throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(settings.host()), settings.port()), 1024);
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e);
        }
        serverSocket = s;
        acceptor = Thread.ofVirtual().name("loomgate-front-door-accept").start(this::acceptLoop);
        watchdog = Thread.ofVirtual().name("loomgate-front-door-watchdog").start(this::watchTimeouts);
    }

    /** The bound port (after {@link #start()}). */
    public int port() {
        return serverSocket == null ? -1 : serverSocket.getLocalPort();
    }

    public FrontDoorSettings settings() {
        return settings;
    }

    public Optional<ServerTls> tls() {
        return tls;
    }

    public int openConnections() {
        return open.get();
    }

    /** Connections refused by the total or per-client cap. */
    public long refusedConnections() {
        return refusedConnections.get();
    }

    /** Connections closed because a response write blocked longer than the write timeout. */
    public long writeTimeouts() {
        return writeTimeouts.get();
    }

    boolean stopping() {
        return stopping;
    }

    boolean admit() {
        if (active.incrementAndGet() > settings.maxConcurrentRequests()) {
            active.decrementAndGet();
            return false;
        }
        return true;
    }

    void release() {
        active.decrementAndGet();
    }

    private void acceptLoop() {
        while (!stopping) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!stopping) {
                    LOG.log(Level.WARNING, "accept failed", e);
                }
                continue;
            }
            InetAddress client = socket.getInetAddress();
            Rejection refusal = null;
            if (open.incrementAndGet() > settings.maxConnections()) {
                refusal = new Rejection(Rejection.Kind.OVERLOADED, "the gateway is at its connection limit");
            } else if (perClient.compute(client, (k, v) -> v == null ? new AtomicInteger(1) : inc(v)).get()
                    > settings.maxConnectionsPerClient()) {
                refusal = new Rejection(Rejection.Kind.TOO_MANY_CONNECTIONS, "more than "
                        + settings.maxConnectionsPerClient() + " open connections from one client (max-connections-per-client)");
                decrement(client);
            } else {
                try {
                    ClientConnection c = new ClientConnection(socket, tls, this, settings, handler, parser);
                    connections.add(c);
                    Thread.ofVirtual().name("loomgate-client").start(c);
                    continue;
                } catch (IOException | RuntimeException e) {
                    decrement(client);
                    open.decrementAndGet();
                    closeQuietly(socket);
                    continue;
                }
            }
            open.decrementAndGet();
            refusedConnections.incrementAndGet();
            if (tls.isPresent()) {
                // an answer would need a handshake first, the costliest part, on a listener already over its cap
                closeQuietly(socket);
                continue;
            }
            Rejection r = refusal;
            // accept and answer rather than leave it in the backlog: the client learns why
            Thread.ofVirtual().name("loomgate-refuse").start(() -> {
                try {
                    new ClientConnection(socket, this, settings, handler, parser).refuseAndClose(r);
                } catch (IOException | RuntimeException ignored) {
                    // the client is gone
                } finally {
                    closeQuietly(socket);
                }
            });
        }
    }

    private static AtomicInteger inc(AtomicInteger v) {
        v.incrementAndGet();
        return v;
    }

    private void decrement(InetAddress client) {
        perClient.computeIfPresent(client, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
    }

    void closed(ClientConnection c) {
        if (connections.remove(c)) {
            open.decrementAndGet();
            decrement(c.clientAddress());
        }
    }

    /**
     * Enforces the write timeout and every read timeout (head, keep-alive, body idle) of all connections;
     * reads are not timed with SO_TIMEOUT (see ConnectionInput). A timeout fires at most one tick late.
     */
    private void watchTimeouts() {
        long tick = watchdogTickMillis(settings);
        while (!stopping) {
            try {
                Thread.sleep(tick);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (ClientConnection c : connections) {
                if (c.writeOverdue(now)) {
                    writeTimeouts.incrementAndGet();
                    c.close(); // fails the blocked write; the exchange releases its upstream connection
                } else {
                    c.expireReadIfOverdue(now);
                }
            }
        }
    }

    /** A tenth of the shortest timeout, within 5..250 ms: late by at most 10 % (or 250 ms). */
    static long watchdogTickMillis(FrontDoorSettings s) {
        long shortest = Math.min(Math.min(s.writeTimeout().toMillis(), s.headerReadTimeout().toMillis()),
                Math.min(s.keepAliveTimeout().toMillis(), s.bodyIdleTimeout().toMillis()));
        return Math.clamp(shortest / 10, 5, 250);
    }

    /**
     * Stops accepting, closes idle connections at once and gives in-flight requests
     * {@code stopGrace} before closing the rest.
     */
    public void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        closeQuietly(serverSocket);
        long deadline = System.nanoTime() + settings.stopGrace().toNanos();
        while (true) {
            for (ClientConnection c : connections) {
                if (c.idle) {
                    c.close();
                }
            }
            if (connections.isEmpty() || System.nanoTime() - deadline > 0) {
                break;
            }
            try {
                Thread.sleep(Math.min(20, Duration.ofNanos(deadline - System.nanoTime()).toMillis() + 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (ClientConnection c : connections) {
            c.close();
        }
        if (watchdog != null) {
            watchdog.interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
