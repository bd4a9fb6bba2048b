package dev.loomgate.gateway.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.loomgate.gateway.cache.SharedCacheStore;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The response cache's L2 on the node's Redis (standalone, Sentinel or Cluster): one key per operation, values as
 * bytes, and invalidations on one pub/sub channel (on a Redis Cluster a classic PUBLISH reaches the subscribers of
 * every node). A subscriber thread keeps the subscription up and reports to the listener when it breaks, when the
 * Sentinel master changes, and when it is back, so the cache can flush L1 after anything it may have missed.
 */
public final class RedisCacheStore implements SharedCacheStore {
    private static final Logger LOG = Logger.getLogger(RedisCacheStore.class.getName());
    public static final String CHANNEL = "lg:cache:invalidate";
    /** The cache has its own small pool: a slow L2 never starves the rate limiter. */
    static final int POOL_SIZE = 16;
    private static final long RETRY_MILLIS = 200;
    private static final long WATCH_MILLIS = 250;
    private static final String RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then "
            + "return redis.call('del', KEYS[1]) else return 0 end";

    private final RedisConnections redis;
    private final AtomicReference<JedisPubSub> current = new AtomicReference<>();
    private volatile boolean closed;
    private Thread subscriber;
    private Thread watcher;

    private RedisCacheStore(RedisConnections redis) {
        this.redis = redis;
    }

    public static RedisCacheStore open(RedisSettings settings) {
        return new RedisCacheStore(RedisConnections.open(settings.toBuilder().poolSize(POOL_SIZE).build()));
    }

    private UnifiedJedis jedis() {
        return redis.commands().orElseThrow(() -> new IllegalStateException("Redis unreachable"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Optional<byte[]> get(String key) {
        return Optional.ofNullable(jedis().get(bytes(key)));
    }

    @Override
    public void put(String key, byte[] value, long ttlMillis) {
        jedis().psetex(bytes(key), Math.max(1, ttlMillis), value);
    }

    @Override
    public void delete(String key) {
        jedis().del(key);
    }

    @Override
    public void addToSet(String key, String member, long ttlMillis) {
        UnifiedJedis j = jedis();
        j.sadd(key, member);
        if (j.pttl(key) < ttlMillis) {
            j.pexpire(key, Math.max(1, ttlMillis));
        }
    }

    @Override
    public List<String> members(String key, int max) {
        UnifiedJedis j = jedis();
        List<String> out = new ArrayList<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = j.sscan(key, cursor, new ScanParams().count(500));
            for (String m : page.getResult()) {
                if (out.size() < max) {
                    out.add(m);
                }
            }
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START) && out.size() < max);
        return out;
    }

    @Override
    public boolean tryLease(String key, String owner, long ttlMillis) {
        return "OK".equals(jedis().set(key, owner, new SetParams().nx().px(Math.max(1, ttlMillis))));
    }

    @Override
    public void releaseLease(String key, String owner) {
        jedis().eval(RELEASE, List.of(key), List.of(owner));
    }

    @Override
    public boolean exists(String key) {
        return jedis().exists(key);
    }

    @Override
    public long increment(String key) {
        return jedis().incr(key);
    }

    @Override
    public void publish(String message) {
        jedis().publish(CHANNEL, message);
    }

    @Override
    public synchronized void subscribe(Listener listener) {
        if (subscriber != null) {
            throw new IllegalStateException("one listener per store");
        }
        subscriber = Thread.ofVirtual().name("cache-invalidations").start(() -> subscribeLoop(listener));
        watcher = Thread.ofVirtual().name("cache-invalidations-watch").start(() -> watch(listener));
    }

    private void subscribeLoop(Listener listener) {
        while (!closed) {
            Optional<UnifiedJedis> j = redis.commands();
            if (j.isPresent()) {
                JedisPubSub pubSub = new JedisPubSub() {
                    @Override
                    public void onSubscribe(String channel, int subscribedChannels) {
                        listener.subscribed();
                    }

                    @Override
                    public void onMessage(String channel, String message) {
                        listener.message(message);
                    }
                };
                current.set(pubSub);
                try {
                    j.get().subscribe(pubSub, CHANNEL);
                } catch (RuntimeException e) {
                    LOG.log(Level.FINE, "cache invalidation subscription broke", e);
                } finally {
                    current.set(null);
                }
            }
            listener.broken();
            sleep(RETRY_MILLIS);
        }
    }

    /**
     * Pings the subscription (a dead socket shows up within a second) and watches the Sentinel master: after a
     * failover the subscription is renewed on the new master, and the listener hears about the break.
     */
    private void watch(Listener listener) {
        Optional<RedisAddress> master = redis.currentMaster();
        long lastPing = 0;
        while (!closed) {
            sleep(WATCH_MILLIS);
            JedisPubSub pubSub = current.get();
            Optional<RedisAddress> now = redis.currentMaster();
            if (!Objects.equals(now, master)) {
                master = now;
                listener.broken();
                unsubscribe(pubSub);
                continue;
            }
            if (pubSub != null && pubSub.isSubscribed() && System.currentTimeMillis() - lastPing >= 1_000) {
                lastPing = System.currentTimeMillis();
                try {
                    pubSub.ping();
                } catch (RuntimeException e) {
                    listener.broken();
                    unsubscribe(pubSub);
                }
            }
        }
    }

    private static void unsubscribe(JedisPubSub pubSub) {
        if (pubSub != null) {
            try {
                pubSub.unsubscribe();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "unsubscribing a broken subscription failed", e);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        unsubscribe(current.get());
        if (subscriber != null) {
            subscriber.interrupt();
            watcher.interrupt();
        }
        redis.close();
    }
}
