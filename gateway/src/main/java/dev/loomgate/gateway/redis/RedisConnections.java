package dev.loomgate.gateway.redis;

import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.serialization.Mapper;
import io.github.bucket4j.redis.jedis.Bucket4jJedis;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.JedisSentineled;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.util.SafeEncoder;

/**
 * The one place that builds Jedis clients: one pooled {@link UnifiedJedis} per node, whatever the topology
 * ({@link JedisPooled} for one server, {@link JedisSentineled} that follows failovers, {@link JedisCluster} that
 * follows the slot map), a health probe, and Bucket4j proxy managers bound to that client. Stores elsewhere in the
 * node issue their commands through {@link #commands()}, so every Redis user runs unchanged on all three topologies;
 * keys that one script or transaction touches must share a hash tag ({@link RedisKeys}) to stay in one slot.
 *
 * <p>Opening never fails because Redis is unreachable: with Sentinel or Cluster the client can only be built once a
 * sentinel or a cluster node answers, so it is built lazily, on {@link #open} and again on each {@link #ping()} and
 * {@link #commands()} until it exists. Until then {@link #commands()} and {@link #bucketProxyManager} are empty and
 * callers use their fallback.
 */
public final class RedisConnections implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RedisConnections.class.getName());

    private static final int CLUSTER_MAX_ATTEMPTS = 5;

    private final RedisSettings settings;
    private final ReentrantLock poolCreation = new ReentrantLock();
    private final ConcurrentHashMap<Duration, ProxyManager<String>> proxyManagers = new ConcurrentHashMap<>();
    private volatile UnifiedJedis pool;
    /** The cluster client's slot map (Cluster only): see {@link #clusterMaster}. */
    private volatile ClusterConnectionProvider clusterSlots;
    private volatile boolean closed;
    private volatile String lastCreateError = "";

    private RedisConnections(RedisSettings settings) {
        this.settings = settings;
    }

    /** Creates the connections; tries to build the pool now and otherwise on later {@link #ping()}s. */
    public static RedisConnections open(RedisSettings settings) {
        RedisConnections connections = new RedisConnections(settings);
        connections.poolIfPossible();
        return connections;
    }

    /**
     * The client for the node's Redis, built now if it was not yet (see the class comment); empty while Redis (or
     * every sentinel or cluster node) is unreachable. The client is shared and thread-safe: do not close it.
     */
    public Optional<UnifiedJedis> commands() {
        return Optional.ofNullable(poolIfPossible());
    }

    public RedisSettings settings() {
        return settings;
    }

    /**
     * Sends PING on a pooled connection. Returns the round-trip time, or empty when Redis (or, with Sentinel, every
     * sentinel) did not answer within the configured timeouts. Never throws.
     */
    public Optional<Duration> ping() {
        UnifiedJedis p = poolIfPossible();
        if (p == null) {
            return Optional.empty();
        }
        long start = System.nanoTime();
        try {
            if (p instanceof JedisCluster cluster) {
                if (!clusterServesAllSlots(cluster)) {
                    return Optional.empty();
                }
            } else {
                p.ping();
            }
            return Optional.of(Duration.ofNanos(System.nanoTime() - start));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Jedis broadcasts PING to every node it knows, so a dead node would fail it until a keyed command happens to
     * refresh the slot map; but a degraded caller sends no keyed commands. Instead one live node (any) is asked
     * whether the cluster serves every slot: false from a master's death until its replica is promoted, then true,
     * and the callers' next commands refresh the slot map on their first connection error.
     */
    private static boolean clusterServesAllSlots(JedisCluster cluster) {
        Object reply = cluster.sendCommand(Protocol.Command.CLUSTER, "INFO");
        return reply instanceof byte[] bytes && SafeEncoder.encode(bytes).contains("cluster_state:ok");
    }

    /**
     * Drops idle pooled connections. After Redis restarted (or a failover) idle connections are dead sockets that
     * would each fail one request; the rate limiter calls this when it goes back to Redis.
     */
    public void discardIdleConnections() {
        // The Sentinel and Cluster providers replace their pools themselves when the master or slot map changes.
        if (pool instanceof JedisPooled p) {
            try {
                p.getPool().clear();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "clearing idle Redis connections failed", e);
            }
        }
    }

    /** The current master as the Sentinel pool sees it, or the standalone address; empty before the pool exists. */
    public Optional<RedisAddress> currentMaster() {
        UnifiedJedis p = pool;
        if (p instanceof JedisSentineled sentineled) {
            HostAndPort hp = sentineled.getCurrentMaster();
            return hp == null ? Optional.empty() : Optional.of(new RedisAddress(hp.getHost(), hp.getPort()));
        }
        if (p != null && settings.topology() instanceof RedisTopology.Standalone s) {
            return Optional.of(s.address());
        }
        return Optional.empty();
    }

    /**
     * The master the cluster client would send a command for {@code slot} to now (its slot map, which it renews on
     * MOVED and on connection errors); empty when not on Cluster, before the pool exists, or the slot is unassigned.
     */
    public Optional<RedisAddress> clusterMaster(int slot) {
        ClusterConnectionProvider p = clusterSlots;
        HostAndPort hp = p == null ? null : p.getNode(slot);
        return hp == null ? Optional.empty() : Optional.of(new RedisAddress(hp.getHost(), hp.getPort()));
    }

    /** A string read: the value (empty when the key is absent), or unreachable when Redis did not answer. */
    public record Read(boolean reachable, Optional<String> value) {
        public static final Read UNREACHABLE = new Read(false, Optional.empty());
    }

    /** GET within the configured timeouts. Never throws. */
    public Read get(String key) {
        UnifiedJedis p = poolIfPossible();
        if (p == null) {
            return Read.UNREACHABLE;
        }
        try {
            return new Read(true, Optional.ofNullable(p.get(key)));
        } catch (RuntimeException e) {
            return Read.UNREACHABLE;
        }
    }

    /** SET with an expiry (at least 1 ms). False when Redis did not take it. Never throws. */
    public boolean setWithExpiry(String key, String value, Duration ttl) {
        UnifiedJedis p = poolIfPossible();
        if (p == null) {
            return false;
        }
        try {
            p.psetex(key, Math.max(1, ttl.toMillis()), value);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** DEL; the number of keys removed, or -1 when Redis did not answer. Never throws. */
    public long delete(String... keys) {
        UnifiedJedis p = poolIfPossible();
        if (p == null || keys.length == 0) {
            return p == null ? -1 : 0;
        }
        try {
            // One DEL per key: on a cluster the keys may live in different slots.
            long removed = 0;
            for (String key : keys) {
                removed += p.del(key);
            }
            return removed;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * A Bucket4j proxy manager storing buckets as Redis strings under the given key names, which Redis expires once
     * the bucket would be full again plus {@code keepAfterRefill}. Empty while the pool cannot be built yet.
     */
    public Optional<ProxyManager<String>> bucketProxyManager(Duration keepAfterRefill) {
        UnifiedJedis p = pool;
        if (p == null) {
            return Optional.empty();
        }
        return Optional.of(proxyManagers.computeIfAbsent(keepAfterRefill, keep -> Bucket4jJedis.casBasedBuilder(p)
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(keep))
                .keyMapper(Mapper.STRING)
                .build()));
    }

    private UnifiedJedis poolIfPossible() {
        UnifiedJedis p = pool;
        if (p != null || closed) {
            return p;
        }
        // Only one caller builds; others go on without Redis rather than queue behind a sentinel timeout.
        if (!poolCreation.tryLock()) {
            return null;
        }
        try {
            if (pool == null && !closed) {
                pool = createPool();
                LOG.log(System.Logger.Level.INFO, "Redis pool ready: " + settings);
            }
            return pool;
        } catch (RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            if (!message.equals(lastCreateError)) {
                lastCreateError = message;
                LOG.log(System.Logger.Level.WARNING, "Redis pool not available yet (" + settings.topology() + "): "
                        + message);
            }
            return null;
        } finally {
            poolCreation.unlock();
        }
    }

    private UnifiedJedis createPool() {
        GenericObjectPoolConfig<Connection> poolConfig = new GenericObjectPoolConfig<>();
        poolConfig.setMaxTotal(settings.poolSize());
        poolConfig.setMaxIdle(settings.poolSize());
        poolConfig.setMinIdle(0);
        poolConfig.setBlockWhenExhausted(true);
        poolConfig.setMaxWait(settings.poolWait());
        poolConfig.setTestWhileIdle(true);
        poolConfig.setTimeBetweenEvictionRuns(Duration.ofSeconds(30));
        poolConfig.setMinEvictableIdleDuration(Duration.ofMinutes(1));
        poolConfig.setJmxEnabled(false);
        JedisClientConfig master = clientConfig(true);
        return switch (settings.topology()) {
            case RedisTopology.Standalone s ->
                    new JedisPooled(poolConfig, new HostAndPort(s.address().host(), s.address().port()), master);
            case RedisTopology.Sentinel s ->
                    new JedisSentineled(s.masterName(), master, poolConfig, hostsAndPorts(s.sentinels()),
                            clientConfig(false));
            // Pool config applies per cluster node; 5 attempts cover MOVED/ASK redirects and the slot-map refresh
            // Jedis does before its last attempt. The retries (Jedis sleeps between them) end within one
            // connect + read timeout: while a dead master's replica is not yet promoted, a call must fail fast so
            // its caller takes its fallback, rather than sleep through the failover (Jedis's default is seconds).
            case RedisTopology.Cluster c -> {
                // built here (as JedisCluster would) so that clusterMaster can read its slot map
                ClusterConnectionProvider slots = new ClusterConnectionProvider(hostsAndPorts(c.seeds()), master,
                        poolConfig);
                JedisCluster cluster = new JedisCluster(slots, CLUSTER_MAX_ATTEMPTS, settings.connectTimeout().plus(
                        settings.readTimeout()));
                clusterSlots = slots;
                yield cluster;
            }
        };
    }

    private static Set<HostAndPort> hostsAndPorts(java.util.List<RedisAddress> addresses) {
        Set<HostAndPort> result = new LinkedHashSet<>();
        addresses.forEach(a -> result.add(new HostAndPort(a.host(), a.port())));
        return result;
    }

    /** How dedicated (non-pooled) connections to the master connect: as the pool's do. */
    JedisClientConfig masterClientConfig() {
        return clientConfig(true);
    }

    /**
     * Credentials and database apply to the data nodes only; sentinels are reached without AUTH. TLS (when on) always
     * verifies the host name: Jedis leaves that off unless SSL parameters are given.
     */
    private JedisClientConfig clientConfig(boolean forMaster) {
        boolean tls = forMaster ? settings.tls().enabled() : settings.sentinelTls();
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) settings.connectTimeout().toMillis())
                .socketTimeoutMillis((int) settings.readTimeout().toMillis())
                .ssl(tls)
                // Redis < 7.2 rejects CLIENT SETINFO; skipping it saves a round trip per new connection anyway.
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                .clientName("loomgate");
        if (tls) {
            b.sslSocketFactory(settings.tls().socketFactory()).sslParameters(settings.tls().sslParameters());
        }
        if (forMaster) {
            settings.user().ifPresent(b::user);
            settings.password().ifPresent(b::password);
            if (!(settings.topology() instanceof RedisTopology.Cluster)) {
                b.database(settings.database());
            }
        }
        return b.build();
    }

    @Override
    public void close() {
        closed = true;
        poolCreation.lock();
        try {
            UnifiedJedis p = pool;
            pool = null;
            clusterSlots = null;
            if (p != null) {
                p.close();
            }
        } finally {
            poolCreation.unlock();
        }
    }
}
