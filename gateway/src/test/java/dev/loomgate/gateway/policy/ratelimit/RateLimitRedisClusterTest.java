package dev.loomgate.gateway.policy.ratelimit;

import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestCluster;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.testsupport.Await;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A node on a real Redis Cluster (3 masters + 3 replicas): the master holding the route's bucket dies under load;
 * limits keep working through the node-local fallback and come back on the promoted replica, no 5xx.
 */
class RateLimitRedisClusterTest {

    @Test
    void limitsKeepWorkingThroughAClusterMasterFailover() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            RedisTestCluster cluster = RedisTestCluster.start(servers, 3, 1);
            RedisSettings settings = RedisSettings.builder(RedisSettings.cluster(cluster.seeds()).topology())
                    .readTimeout(Duration.ofMillis(500)).build();
            RateLimitFailover.check("Redis Cluster", settings, () -> {
                // key: route is one bucket, so exactly one master holds a key: that is the one to kill.
                RedisTestServers.Server holder = cluster.masters().stream().filter(m -> dbSize(m) > 0)
                        .findFirst().orElseThrow();
                servers.kill(holder);
            }, limits -> {
                Await.until("the holder's replica promoted", Duration.ofSeconds(30),
                        () -> cluster.masters().size() == 3);
                Await.until("back on Redis through the promoted replica", Duration.ofSeconds(20),
                        RateLimitFailover.backOnRedis(limits));
            });
        }
    }

    private static long dbSize(RedisTestServers.Server server) {
        try {
            return Long.parseLong(RedisTestServers.command(server.port(), "DBSIZE").getFirst());
        } catch (IOException e) {
            return 0;
        }
    }
}
