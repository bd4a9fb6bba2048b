package dev.loomgate.gateway.redis;

import static dev.loomgate.gateway.redis.SessionClientCacheTest.HOUR;
import static dev.loomgate.gateway.redis.SessionClientCacheTest.cart;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.loomgate.gateway.redis.RedisTestServers.Server;
import dev.loomgate.testsupport.Await;

/** Client-side session caching on Sentinel: a failover flushes the cache and re-arms tracking on the new master. */
class SessionClientCacheSentinelTest {
    private static final String MASTER_NAME = "loomgate-csc";

    @Test
    void aFailoverFlushesAndReArmsOnTheNewMaster() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            Server master = servers.startServer();
            Server replica = servers.startReplica(master);
            List<Server> sentinels = servers.startSentinels(3, MASTER_NAME, master);
            RedisSettings settings = RedisSettings.builder(RedisSettings.sentinel(MASTER_NAME,
                    sentinels.stream().map(Server::address).toList()).topology()).readTimeout(Duration.ofMillis(500))
                    .build();
            try (RedisSessionStore a = RedisSessionStore.open(settings);
                 RedisSessionStore b = RedisSessionStore.open(settings)) {
                SessionCache cache = SessionClientCacheTest.armedCache(b);
                assertEquals(Optional.of(master.address()), cache.armedMaster());
                String id = "failover-" + System.nanoTime();
                a.create(id, Map.of("cart", "0"), HOUR);
                b.load(id, HOUR, true);
                Await.until("cached", () -> {
                    cart(b, id);
                    return cache.get(RedisSessionStore.key(id)).isPresent();
                });
                Await.until("the replica caught up", Duration.ofSeconds(10),
                        () -> RedisTestServers.info(replica.port(), "keyspace").contains("keys=1,"));
                long flushes = cache.flushes.sum();
                RedisTestServers.sentinelFailover(sentinels.getFirst(), MASTER_NAME, Duration.ofSeconds(30));
                Await.until("flushed on the failover", Duration.ofSeconds(30), () -> cache.flushes.sum() > flushes);
                Await.until("re-armed on the new master", Duration.ofSeconds(30),
                        () -> cache.armedMaster().equals(Optional.of(replica.address())));
                int stale = 0;
                for (int round = 1; round <= 50; round++) {
                    int r = round;
                    Await.until("a writes to the new master", Duration.ofSeconds(10), () -> {
                        try {
                            return a.write(id, Map.of("cart", "f" + r), List.of(), 64, HOUR)
                                    == RedisSessionStore.WriteResult.OK;
                        } catch (RedisSessionStore.Unavailable e) {
                            return false; // a's pool still on the demoted master for a moment
                        }
                    });
                    if (!("f" + round).equals(cart(b, id))) {
                        stale++;
                    }
                    cart(b, id);
                }
                assertEquals(0, stale, "consistent after re-arming on the new master");
            }
        }
    }
}
