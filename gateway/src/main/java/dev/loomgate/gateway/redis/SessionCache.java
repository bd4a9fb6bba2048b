package dev.loomgate.gateway.redis;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisSocketFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;

/**
 * Consistent client-side caching of session hashes by hand on Redis 7.0 (RESP2), for standalone and Sentinel.
 * Connection A runs {@code CLIENT ID} then {@code SUBSCRIBE __redis__:invalidate}; connection B runs
 * {@code CLIENT TRACKING ON REDIRECT <A> BCAST PREFIX lg:session:} and stays open. Redis then sends A the key of every
 * change, delete or expiry of a session key by any client (this node's own writes too); a nil message means "flush".
 *
 * <p>A read is stored only if no invalidation of its key (striped counters), no flush and no re-arm happened since it
 * started, checked inside the map's per-key lock that invalidations also take (so an invalidation overtaking the read
 * either prevents the store or removes what was stored). Any failure of A or B, or the pool's master changing, flushes
 * everything and stops serving from the map until both connections are re-established on the current master.
 */
final class SessionCache implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SessionCache.class.getName());
    static final String CHANNEL = "__redis__:invalidate";
    private static final int STRIPES = 4096;
    /** Most session hashes one node caches (beyond, loads read Redis): bounded memory. */
    static final int MAX_ENTRIES = 100_000;
    private static final long CHECK_MILLIS = 250;

    /** Tracking on {@code master} since {@code epoch}; replaced (never mutated) on every re-arm. */
    private record Armed(RedisAddress master, long epoch, Connection a, Connection b, InvalidationReader reader,
                         Socket aSocket, Socket bSocket) {
    }

    private static final byte[] PING = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);
    /** When A last answered a PING (nanoTime): a silent server is a failure after read-timeout. */
    private volatile long lastPong;

    /** What {@link #begin} saw before a read: the store happens only if all of it is unchanged. */
    record Stamp(Armed armed, long epoch, int stripe, long counter) {
    }

    private final RedisConnections redis;
    private final int maxEntries;
    private final ConcurrentHashMap<String, Map<String, String>> map = new ConcurrentHashMap<>();
    private final AtomicLongArray counters = new AtomicLongArray(STRIPES);
    private final AtomicLong epoch = new AtomicLong();
    private volatile Armed armed;
    private volatile boolean closed;
    private final Thread supervisor;
    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();
    final LongAdder invalidations = new LongAdder();
    final LongAdder flushes = new LongAdder();

    SessionCache(RedisConnections redis, int maxEntries) {
        this.redis = redis;
        this.maxEntries = maxEntries;
        this.supervisor = Thread.ofPlatform().daemon().name("session-cache-tracking").start(this::supervise);
    }

    boolean armed() {
        return usable(armed);
    }

    /** The master tracking is armed on, while armed. */
    Optional<RedisAddress> armedMaster() {
        Armed a = armed;
        return usable(a) ? Optional.of(a.master()) : Optional.empty();
    }

    /** The cached hash of {@code key}, when tracking is armed on the master the pool uses. */
    Optional<Map<String, String>> get(String key) {
        Armed a = armed;
        // quiet: no invalidation is in A's socket or being applied (see InvalidationReader for why that suffices)
        Map<String, String> h = usable(a) && a.reader().quiet() ? map.get(key) : null;
        if (h == null) {
            misses.increment();
            return Optional.empty();
        }
        hits.increment();
        return Optional.of(h);
    }

    /** Taken before a read of {@code key}; empty while not armed (the read is then not stored). */
    Optional<Stamp> begin(String key) {
        Armed a = armed;
        if (!usable(a)) {
            return Optional.empty();
        }
        int s = stripe(key);
        return Optional.of(new Stamp(a, epoch.get(), s, counters.get(s)));
    }

    /** Stores what a read that began with {@code stamp} returned, unless anything invalidated it meanwhile. */
    void store(Stamp stamp, String key, Map<String, String> hash) {
        if (map.size() >= maxEntries) {
            return; // bounded: a full map serves what it has, the rest reads Redis
        }
        Map<String, String> copy = Map.copyOf(hash);
        map.compute(key, (k, old) -> stillValid(stamp) ? copy : old);
    }

    private boolean stillValid(Stamp stamp) {
        return armed == stamp.armed() && epoch.get() == stamp.epoch() && counters.get(stamp.stripe()) == stamp.counter()
                && usable(stamp.armed());
    }

    /** Drops {@code key}: Redis said it changed, or this node just changed it (read-your-writes before A hears). */
    void invalidate(String key) {
        counters.incrementAndGet(stripe(key)); // first, so a read in flight cannot store after the remove
        map.remove(key);
    }

    /** Forgets everything and stops serving until re-armed. */
    private void flush(String why) {
        armed = null;
        epoch.incrementAndGet(); // first, so no read that began earlier stores after the clear
        map.clear();
        flushes.increment();
        LOG.log(System.Logger.Level.DEBUG, "session cache flushed: {0}", why);
    }

    private boolean usable(Armed a) {
        if (a == null) {
            return false;
        }
        Optional<RedisAddress> master = redis.currentMaster();
        return master.isPresent() && master.get().equals(a.master()); // a failover the pool saw: stop at once
    }

    private static int stripe(String key) {
        return Math.floorMod(key.hashCode(), STRIPES);
    }

    /** Arms tracking, watches it (B's PING, the pool's master) and re-arms after any failure. */
    private void supervise() {
        int failures = 0;
        while (!closed) {
            Armed a = null;
            try {
                a = arm();
                failures = 0;
                Armed current = a;
                Thread reader = Thread.ofPlatform().daemon().name("session-cache-invalidations")
                        .start(() -> readInvalidations(current));
                Thread.ofPlatform().daemon().name("session-cache-tracking-watch").start(() -> watchTracking(current));
                long silent = redis.settings().readTimeout().toNanos() + 2 * CHECK_MILLIS * 1_000_000L;
                lastPong = System.nanoTime();
                while (!closed && armed == current && reader.isAlive()) {
                    Thread.sleep(CHECK_MILLIS);
                    if (!usable(current) || System.nanoTime() - lastPong > silent) {
                        break; // failover seen by the pool, or the server stopped answering
                    }
                    current.aSocket().getOutputStream().write(PING); // only this thread writes to A after arming
                    current.aSocket().getOutputStream().flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | java.io.IOException e) {
                failures++;
                // WARNING once: e.g. an ACL without &__redis__:invalidate; the cache then stays off (as before it)
                LOG.log(failures == 1 && a == null ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                        "session cache tracking failed (the session cache is off until it is re-armed): {0}",
                        e.getMessage());
            } finally {
                if (a != null || armed != null) {
                    flush("tracking connection lost or master changed");
                }
                if (a != null) {
                    a.a().close();
                    a.b().close();
                }
            }
            if (!closed) {
                try {
                    Thread.sleep(Math.min(CHECK_MILLIS << Math.min(failures, 5), 5_000)); // back off while failing
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private Armed arm() {
        redis.commands(); // builds the pool (Sentinel: asks the sentinels for the master)
        RedisAddress master = redis.currentMaster().orElseThrow(() -> new IllegalStateException("no master yet"));
        HostAndPort hp = new HostAndPort(master.host(), master.port());
        AtomicReference<Socket> socket = new AtomicReference<>();
        AtomicReference<Socket> bSocket = new AtomicReference<>();
        Connection a = dedicated(hp, socket);
        Connection b = null;
        try {
            a.sendCommand(Protocol.Command.CLIENT, "ID");
            long id = a.getIntegerReply();
            a.sendCommand(Protocol.Command.SUBSCRIBE, CHANNEL);
            a.getObjectMultiBulkReply();
            // From here A is read by hand (nothing else was sent, so Jedis has nothing of it buffered): see the fence
            socket.get().setSoTimeout(0); // invalidations may be minutes apart; PINGs on A detect a silent server
            InvalidationReader reader = new InvalidationReader(socket.get().getInputStream());
            b = dedicated(hp, bSocket);
            b.sendCommand(Protocol.Command.CLIENT, "TRACKING", "ON", "REDIRECT", Long.toString(id), "BCAST",
                    "PREFIX", RedisSessionStore.PREFIX);
            b.getStatusCodeReply();
            bSocket.get().setSoTimeout(0); // B is only watched for its end (see watchTracking)
            Armed armedNow = new Armed(master, epoch.incrementAndGet(), a, b, reader, socket.get(), bSocket.get());
            armed = armedNow;
            return armedNow;
        } catch (RuntimeException | java.io.IOException e) {
            a.close();
            if (b != null) {
                b.close();
            }
            throw new IllegalStateException("arming session tracking failed: " + e.getMessage(), e);
        }
    }

    /** A connection of its own to the master, its socket kept so it can be read by hand after the handshake. */
    private Connection dedicated(HostAndPort hp, AtomicReference<Socket> socket) {
        DefaultJedisSocketFactory sockets = new DefaultJedisSocketFactory(hp, redis.masterClientConfig());
        return new Connection(() -> {
            Socket created = sockets.createSocket();
            socket.set(created);
            return created;
        }, redis.masterClientConfig());
    }

    /**
     * B receives nothing (its invalidations go to A), so a blocking read on it returns only when it ends: tracking is
     * then off in Redis, and the cache must stop at once rather than at the next check.
     */
    private void watchTracking(Armed a) {
        try {
            a.bSocket().getInputStream().read();
        } catch (java.io.IOException | RuntimeException e) {
            // closed: below
        }
        if (armed == a) {
            flush("tracking connection closed");
        }
    }

    private void readInvalidations(Armed a) {
        try {
            while (!closed && armed == a) {
                Object reply = a.reader().next();
                if (!(reply instanceof List<?> msg) || msg.size() < 3) {
                    if (reply instanceof List<?> m && !m.isEmpty() && m.getFirst() instanceof byte[] t
                            && new String(t, StandardCharsets.US_ASCII).equals("pong")) {
                        lastPong = System.nanoTime();
                    }
                    a.reader().applied();
                    continue;
                }
                Object payload = msg.get(2);
                if (payload instanceof List<?> keys) {
                    for (Object k : keys) {
                        invalidations.increment();
                        invalidate(new String((byte[]) k, StandardCharsets.UTF_8));
                    }
                } else if (payload == null) {
                    flush("Redis flushed its tracking table (FLUSHALL, or out of tracking memory)");
                    return; // tracking is still on: re-arm for a clean epoch
                }
                a.reader().applied();
            }
        } catch (RuntimeException | java.io.IOException e) {
            if (armed == a) {
                flush("invalidation connection failed: " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Armed a = armed;
        flush("closed");
        if (a != null) {
            a.a().close();
            a.b().close();
        }
        supervisor.interrupt();
        try {
            supervisor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
