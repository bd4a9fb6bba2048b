package dev.loomgate.gateway.policy.introspection;

import java.time.Duration;

import dev.loomgate.gateway.redis.RedisConnections;
import dev.loomgate.gateway.redis.RedisSettings;

/** The shared introspection store on Redis: plain strings with an expiry, on a pool of the node's Redis settings. */
public final class RedisIntrospectionStore implements SharedIntrospectionStore, AutoCloseable {
    /** Introspection needs few connections; the rate limiter keeps its own, larger pool. */
    static final int POOL_SIZE = 8;

    private final RedisConnections redis;

    public RedisIntrospectionStore(RedisConnections redis) {
        this.redis = redis;
    }

    @Override
    public Read get(String key) {
        RedisConnections.Read r = redis.get(key);
        return new Read(r.reachable(), r.value());
    }

    @Override
    public void put(String key, String value, Duration ttl) {
        redis.setWithExpiry(key, value, ttl);
    }

    @Override
    public long delete(String... keys) {
        return redis.delete(keys);
    }

    @Override
    public void close() {
        redis.close();
    }

    /** Opens a small pool with the node's Redis settings. */
    public static RedisIntrospectionStore open(RedisSettings settings) {
        return new RedisIntrospectionStore(RedisConnections.open(settings.toBuilder().poolSize(POOL_SIZE).build()));
    }
}
