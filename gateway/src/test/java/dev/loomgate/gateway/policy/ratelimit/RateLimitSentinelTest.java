package dev.loomgate.gateway.policy.ratelimit;

import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.redis.RedisTestServers.Server;
import dev.loomgate.testsupport.Await;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A node on Sentinel (master + replica + 3 sentinels): the master dies under load, limits keep working, no 5xx. */
class RateLimitSentinelTest {
    private static final String MASTER_NAME = "loomgate-gw";

    @Test
    void limitsKeepWorkingThroughFailover() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            Server master = servers.startServer();
            Server replica = servers.startReplica(master);
            List<Server> sentinels = servers.startSentinels(3, MASTER_NAME, master);
            RedisSettings settings = RedisSettings.sentinel(MASTER_NAME, sentinels.stream().map(Server::address).toList());
            RateLimitFailover.check("Sentinel", settings, () -> servers.kill(master), limits -> {
                var backOnRedis = RateLimitFailover.backOnRedis(limits);
                Await.until("back on Redis through the promoted replica", Duration.ofSeconds(20),
                        () -> backOnRedis.getAsBoolean()
                                && RedisTestServers.info(replica.port(), "replication").contains("role:master"));
            });
        }
    }
}
