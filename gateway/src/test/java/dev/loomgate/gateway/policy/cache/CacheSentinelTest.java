package dev.loomgate.gateway.policy.cache;

import static dev.loomgate.gateway.policy.cache.CacheFilterTest.get;
import static dev.loomgate.gateway.policy.cache.CacheFilterTest.xCache;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;

import dev.loomgate.gateway.cache.ResponseCache;
import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.redis.RedisTestServers.Server;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.testsupport.Await;
import org.junit.jupiter.api.Test;

/** A Sentinel failover (the old master stays up, demoted) flushes every node's L1: no message can have been missed. */
class CacheSentinelTest {
    private static final String MASTER_NAME = "loomgate-cache";

    @Test
    void failoverFlushesL1AndServingGoesOn() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create(); CacheUpstream upstream = new CacheUpstream()) {
            Server master = servers.startServer();
            Server replica = servers.startReplica(master);
            List<Server> sentinels = servers.startSentinels(3, MASTER_NAME, master);
            RedisSettings settings = RedisSettings.builder(RedisSettings.sentinel(MASTER_NAME,
                    sentinels.stream().map(Server::address).toList()).topology()).readTimeout(Duration.ofMillis(500))
                    .build();
            List<TestGateway> nodes = CacheClusterTest.nodes(1, upstream.address(), settings);
            TestGateway node = nodes.getFirst();
            try {
                ResponseCache cache = node.node().responseCache();
                get(node, "/s");
                assertEquals("HIT", xCache(get(node, "/s")));
                long flushes = cache.metrics().flushes();
                RedisTestServers.sentinelFailover(sentinels.getFirst(), MASTER_NAME, Duration.ofSeconds(30));
                Await.until("the replica promoted", Duration.ofSeconds(20),
                        () -> RedisTestServers.info(replica.port(), "replication").contains("role:master"));
                Await.until("L1 flushed after the failover", Duration.ofSeconds(20),
                        () -> cache.metrics().flushes() > flushes);
                for (int i = 0; i < 20; i++) {
                    assertEquals(200, get(node, "/s").statusCode());
                }
                Await.until("subscribed again, on the new master", Duration.ofSeconds(20),
                        () -> CacheClusterTest.metrics(node).contains("loomgate_cache_subscription_up 1"));
            } finally {
                nodes.forEach(TestGateway::close);
            }
        }
    }
}
