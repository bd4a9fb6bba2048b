package dev.loomgate.gateway.redis;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisSocketFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Key tracking armed on one Redis server (the master, or one master of a cluster: tracking is per server). Connection
 * A runs {@code CLIENT ID} then {@code SUBSCRIBE __redis__:invalidate} and is then read by hand
 * ({@link InvalidationReader}); connection B runs {@code CLIENT TRACKING ON REDIRECT <A> BCAST PREFIX lg:session:}
 * and stays open. A reader thread applies A's messages; a watcher ends with B. Any end of A or B, or a nil message
 * (Redis flushed its tracking table), marks the node {@link #failed} before telling the {@link Sink}: from then on it
 * is never {@link #quiet}, so nothing is served on its word even before the cache flushes.
 */
final class TrackedNode implements AutoCloseable {
    static final String CHANNEL = "__redis__:invalidate";
    private static final byte[] PING = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Where a node's news goes. */
    interface Sink {
        /** Redis said {@code key} changed. */
        void invalidated(String key);

        /** The node can no longer vouch for anything (its cache entries must go). */
        void failed(TrackedNode node, String why);
    }

    final RedisAddress address;
    private final Connection a;
    private final Connection b;
    private final Socket aSocket;
    private final Socket bSocket;
    private final InvalidationReader reader;
    private final Sink sink;
    private final Thread readerThread;
    /** When A last answered a PING (nanoTime): a silent server is a failure after read-timeout. */
    private volatile long lastPong = System.nanoTime();
    private volatile boolean failed;
    private volatile boolean closed;

    private TrackedNode(RedisAddress address, Connection a, Connection b, Socket aSocket, Socket bSocket,
                        InvalidationReader reader, Sink sink) {
        this.address = address;
        this.a = a;
        this.b = b;
        this.aSocket = aSocket;
        this.bSocket = bSocket;
        this.reader = reader;
        this.sink = sink;
        this.readerThread = Thread.ofPlatform().daemon().name("session-cache-invalidations-" + address.port())
                .unstarted(this::readInvalidations);
    }

    /** Connects A and B to {@code address} and starts tracking; throws when that fails (nothing is left open). */
    static TrackedNode arm(RedisAddress address, JedisClientConfig config, Sink sink) {
        HostAndPort hp = new HostAndPort(address.host(), address.port());
        AtomicReference<Socket> aSocket = new AtomicReference<>();
        AtomicReference<Socket> bSocket = new AtomicReference<>();
        AtomicReference<FencedSocket> fence = new AtomicReference<>();
        Connection a = new Connection(config.isSsl() ? fencedTls(hp, config, aSocket, fence)
                : plain(hp, config, aSocket), config);
        Connection b = null;
        try {
            a.sendCommand(Protocol.Command.CLIENT, "ID");
            long id = a.getIntegerReply();
            a.sendCommand(Protocol.Command.SUBSCRIBE, CHANNEL);
            a.getObjectMultiBulkReply();
            // From here A is read by hand (nothing else was sent, so Jedis has nothing of it buffered): see the fence
            Socket socket = aSocket.get();
            socket.setSoTimeout(0); // invalidations may be minutes apart; PINGs on A detect a silent server
            FencedSocket underTls = fence.get();
            BooleanSupplier below = underTls != null ? underTls::quietBelowTls : () -> true;
            InvalidationReader reader = new InvalidationReader(socket.getInputStream(), below);
            b = new Connection(plain(hp, config, bSocket), config);
            b.sendCommand(Protocol.Command.CLIENT, "TRACKING", "ON", "REDIRECT", Long.toString(id), "BCAST",
                    "PREFIX", RedisSessionStore.PREFIX);
            b.getStatusCodeReply();
            bSocket.get().setSoTimeout(0); // B is only watched for its end (see watchTracking)
            TrackedNode node = new TrackedNode(address, a, b, socket, bSocket.get(), reader, sink);
            node.readerThread.start();
            Thread.ofPlatform().daemon().name("session-cache-tracking-watch-" + address.port())
                    .start(node::watchTracking);
            return node;
        } catch (RuntimeException | IOException e) {
            a.close();
            if (b != null) {
                b.close();
            }
            throw new IllegalStateException("arming session tracking on " + address + " failed: " + e.getMessage(), e);
        }
    }

    /** A socket of its own, kept so that it can be read by hand after the handshake. */
    private static JedisSocketFactory plain(HostAndPort hp, JedisClientConfig config, AtomicReference<Socket> socket) {
        DefaultJedisSocketFactory sockets = new DefaultJedisSocketFactory(hp, config);
        return () -> {
            Socket created = sockets.createSocket();
            socket.set(created);
            return created;
        };
    }

    /** As Jedis connects with TLS (same factory, parameters, host-name check), over a {@link FencedSocket}. */
    private static JedisSocketFactory fencedTls(HostAndPort hp, JedisClientConfig config,
                                                AtomicReference<Socket> socket, AtomicReference<FencedSocket> fence) {
        return () -> {
            FencedSocket raw = new FencedSocket();
            try {
                raw.setTcpNoDelay(true);
                raw.setKeepAlive(true);
                raw.connect(new InetSocketAddress(hp.getHost(), hp.getPort()), config.getConnectionTimeoutMillis());
                raw.setSoTimeout(config.getSocketTimeoutMillis());
                SSLSocketFactory factory = config.getSslSocketFactory() != null ? config.getSslSocketFactory()
                        : (SSLSocketFactory) SSLSocketFactory.getDefault();
                SSLSocket tls = (SSLSocket) factory.createSocket(raw, hp.getHost(), hp.getPort(), true);
                if (config.getSslParameters() != null) {
                    tls.setSSLParameters(config.getSslParameters());
                }
                tls.startHandshake();
                if (config.getHostnameVerifier() != null
                        && !config.getHostnameVerifier().verify(hp.getHost(), tls.getSession())) {
                    throw new IOException("the certificate does not match " + hp.getHost());
                }
                fence.set(raw);
                socket.set(tls);
                return tls;
            } catch (IOException | RuntimeException e) {
                try {
                    raw.close();
                } catch (IOException ignored) {
                    // already failing
                }
                throw new JedisConnectionException("TLS connect to " + hp + " failed: " + e.getMessage(), e);
            }
        };
    }

    /** No invalidation is arriving or being applied, and the node has not failed. */
    boolean quiet() {
        return !failed && reader.quiet();
    }

    /** Tracking is up: neither connection ended, no flush message. */
    boolean alive() {
        return !failed && readerThread.isAlive();
    }

    /** Sends a PING on A; throws if A has not answered one for {@code silentNanos}. Only the supervisor calls it. */
    void ping(long silentNanos) throws IOException {
        if (System.nanoTime() - lastPong > silentNanos) {
            throw new IOException(address + " stopped answering PING on the invalidation connection");
        }
        aSocket.getOutputStream().write(PING);
        aSocket.getOutputStream().flush();
    }

    private void fail(String why) {
        failed = true; // first: the node stops vouching before anyone reacts
        if (!closed) {
            sink.failed(this, why);
        }
    }

    /**
     * B receives nothing (its invalidations go to A), so a blocking read on it returns only when it ends: tracking is
     * then off in Redis, and the cache must stop at once rather than at the next check.
     */
    private void watchTracking() {
        try {
            bSocket.getInputStream().read();
        } catch (IOException | RuntimeException e) {
            // closed: below
        }
        fail("tracking connection to " + address + " closed");
    }

    private void readInvalidations() {
        try {
            while (!closed) {
                Object reply = reader.next();
                if (!(reply instanceof List<?> msg) || msg.size() < 3) {
                    if (reply instanceof List<?> m && !m.isEmpty() && m.getFirst() instanceof byte[] t
                            && new String(t, StandardCharsets.US_ASCII).equals("pong")) {
                        lastPong = System.nanoTime();
                    }
                    reader.applied();
                    continue;
                }
                Object payload = msg.get(2);
                if (payload instanceof List<?> keys) {
                    for (Object k : keys) {
                        sink.invalidated(new String((byte[]) k, StandardCharsets.UTF_8));
                    }
                } else if (payload == null) {
                    fail("Redis " + address + " flushed its tracking table (FLUSHALL, or out of tracking memory)");
                    return; // tracking is still on: re-arm for a clean epoch
                }
                reader.applied();
            }
        } catch (RuntimeException | IOException e) {
            fail("invalidation connection to " + address + " failed: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        failed = true;
        a.close();
        b.close();
    }
}
