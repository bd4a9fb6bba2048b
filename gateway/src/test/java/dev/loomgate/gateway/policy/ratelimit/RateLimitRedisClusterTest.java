package dev.loomgate.gateway.policy.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomgate.gateway.ratelimit.RateLimiterOptions;
import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestCluster;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A node on a real Redis Cluster (3 masters + 3 replicas): the master holding the route's bucket dies under load;
 * limits keep working through the node-local fallback and come back on the promoted replica, no 5xx.
 */
class RateLimitRedisClusterTest {

    @Test
    void limitsKeepWorkingThroughAClusterMasterFailover() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create(); TestUpstream upstream = TestUpstream.start("u")) {
            RedisTestCluster cluster = RedisTestCluster.start(servers, 3, 1);
            RedisSettings settings = RedisSettings.builder(RedisSettings.cluster(cluster.seeds()).topology())
                    .readTimeout(Duration.ofMillis(500)).build();
            try (TestGateway node = TestGateway.start("""
                    upstreams:
                      - name: backend
                        endpoints: [ %s ]
                    routes:
                      - id: api
                        upstream: backend
                        rate-limit: { key: route, limit: 50, per: 1s, burst: 10 }
                    """.formatted(upstream.address()), c -> c.toBuilder().redis(settings)
                    // As in RateLimitSentinelTest: the test is about the failover, not the latency budget.
                    .rateLimiter(RateLimiterOptions.builder().failureThreshold(5).latencyBudget(Duration.ofSeconds(1))
                            .probeInterval(Duration.ofMillis(200)).build()).build())) {
                RateLimitService limits = node.node().rateLimits();
                PacedLoad load = PacedLoad.start(List.of(node.uri("/x")), 100);
                Await.until("the limit to bite before the failover", () -> load.limited.sum() > 0);
                assertFalse(limits.degraded());
                // key: route is one bucket, so exactly one master holds a key: that is the one to kill.
                RedisTestServers.Server holder = cluster.masters().stream().filter(m -> dbSize(m) > 0)
                        .findFirst().orElseThrow();
                long killedAt = System.nanoTime();
                servers.kill(holder);
                Await.until("the holder's replica promoted", Duration.ofSeconds(30),
                        () -> cluster.masters().size() == 3);
                Await.until("back on Redis through the promoted replica", Duration.ofSeconds(20),
                        () -> limits.engineMetrics().breakerOpenings() > 0 && !limits.degraded());
                long recoveredMs = (System.nanoTime() - killedAt) / 1_000_000;
                long limitedAtRecovery = load.limited.sum();
                long okAtRecovery = load.ok.sum();
                Thread.sleep(1_000); // a one-second window to measure the admitted rate in: the rate is what is tested
                load.stop();
                System.out.printf("Redis Cluster failover through the gateway: back on Redis %d ms after the kill; "
                                + "%s; fallback decisions %d%n", recoveredMs, load.summary(),
                        limits.engineMetrics().fallbackDecisions());
                assertEquals(0, load.serverErrors.sum() + load.failed.sum() + load.otherStatus.sum(), load.summary());
                assertTrue(load.limited.sum() > limitedAtRecovery, "the limit bites after the failover");
                long okAfter = load.ok.sum() - okAtRecovery;
                assertTrue(okAfter >= 30 && okAfter <= 80, "about 50/s admitted after the failover: " + okAfter);
                assertTrue(limits.engineMetrics().fallbackDecisions() > 0, "the outage went through the fallback");
            }
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
