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
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisSentinelPool;
import redis.clients.jedis.util.Pool;

/**
 * The one place that knows Jedis: a connection pool (a {@link JedisPool}, or a {@link JedisSentinelPool} that follows
 * failovers), a health probe, and Bucket4j proxy managers bound to that pool.
 *
 * <p>Opening never fails because Redis is unreachable: with Sentinel the pool can only be built once a sentinel
 * answers, so it is built lazily, on {@link #open} and again on each {@link #ping()} until it exists. Until then
 * {@link #bucketProxyManager} is empty and callers use their fallback.
 */
public final class RedisConnections implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RedisConnections.class.getName());

    private final RedisSettings settings;
    private final ReentrantLock poolCreation = new ReentrantLock();
    private final ConcurrentHashMap<Duration, ProxyManager<String>> proxyManagers = new ConcurrentHashMap<>();
    private volatile Pool<Jedis> pool;
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

    public RedisSettings settings() {
        return settings;
    }

    /**
     * Sends PING on a pooled connection. Returns the round-trip time, or empty when Redis (or, with Sentinel, every
     * sentinel) did not answer within the configured timeouts. Never throws.
     */
    public Optional<Duration> ping() {
        Pool<Jedis> p = poolIfPossible();
        if (p == null) {
            return Optional.empty();
        }
        long start = System.nanoTime();
        try (Jedis jedis = p.getResource()) {
            jedis.ping();
            return Optional.of(Duration.ofNanos(System.nanoTime() - start));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Drops idle pooled connections. After Redis restarted (or a failover) idle connections are dead sockets that
     * would each fail one request; the rate limiter calls this when it goes back to Redis.
     */
    public void discardIdleConnections() {
        Pool<Jedis> p = pool;
        if (p != null) {
            try {
                p.clear();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "clearing idle Redis connections failed", e);
            }
        }
    }

    /** The current master as the Sentinel pool sees it, or the standalone address; empty before the pool exists. */
    public Optional<RedisAddress> currentMaster() {
        Pool<Jedis> p = pool;
        if (p instanceof JedisSentinelPool sentinelPool) {
            HostAndPort hp = sentinelPool.getCurrentHostMaster();
            return hp == null ? Optional.empty() : Optional.of(new RedisAddress(hp.getHost(), hp.getPort()));
        }
        if (p != null && settings.topology() instanceof RedisTopology.Standalone s) {
            return Optional.of(s.address());
        }
        return Optional.empty();
    }

    /** A string read: the value (empty when the key is absent), or unreachable when Redis did not answer. */
    public record Read(boolean reachable, Optional<String> value) {
        public static final Read UNREACHABLE = new Read(false, Optional.empty());
    }

    /** GET within the configured timeouts. Never throws. */
    public Read get(String key) {
        Pool<Jedis> p = poolIfPossible();
        if (p == null) {
            return Read.UNREACHABLE;
        }
        try (Jedis jedis = p.getResource()) {
            return new Read(true, Optional.ofNullable(jedis.get(key)));
        } catch (RuntimeException e) {
            return Read.UNREACHABLE;
        }
    }

    /** SET with an expiry (at least 1 ms). False when Redis did not take it. Never throws. */
    public boolean setWithExpiry(String key, String value, Duration ttl) {
        Pool<Jedis> p = poolIfPossible();
        if (p == null) {
            return false;
        }
        try (Jedis jedis = p.getResource()) {
            jedis.psetex(key, Math.max(1, ttl.toMillis()), value);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** DEL; the number of keys removed, or -1 when Redis did not answer. Never throws. */
    public long delete(String... keys) {
        Pool<Jedis> p = poolIfPossible();
        if (p == null || keys.length == 0) {
            return p == null ? -1 : 0;
        }
        try (Jedis jedis = p.getResource()) {
            return jedis.del(keys);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * A Bucket4j proxy manager storing buckets as Redis strings under the given key names, which Redis expires once
     * the bucket would be full again plus {@code keepAfterRefill}. Empty while the pool cannot be built yet.
     */
    public Optional<ProxyManager<String>> bucketProxyManager(Duration keepAfterRefill) {
        Pool<Jedis> p = pool;
        if (p == null) {
            return Optional.empty();
        }
        return Optional.of(proxyManagers.computeIfAbsent(keepAfterRefill, keep -> Bucket4jJedis.casBasedBuilder(p)
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(keep))
                .keyMapper(Mapper.STRING)
                .build()));
    }

    private Pool<Jedis> poolIfPossible() {
        Pool<Jedis> p = pool;
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

    private Pool<Jedis> createPool() {
        GenericObjectPoolConfig<Jedis> poolConfig = new GenericObjectPoolConfig<>();
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
                    new JedisPool(poolConfig, new HostAndPort(s.address().host(), s.address().port()), master);
            case RedisTopology.Sentinel s -> {
                Set<HostAndPort> sentinels = new LinkedHashSet<>();
                s.sentinels().forEach(a -> sentinels.add(new HostAndPort(a.host(), a.port())));
                yield new JedisSentinelPool(s.masterName(), sentinels, poolConfig, master, clientConfig(false));
            }
        };
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
            b.database(settings.database());
        }
        return b.build();
    }

    @Override
    public void close() {
        closed = true;
        poolCreation.lock();
        try {
            Pool<Jedis> p = pool;
            pool = null;
            if (p != null) {
                p.close();
            }
        } finally {
            poolCreation.unlock();
        }
    }
}
