package dev.loomgate.gateway.policy.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomgate.testsupport.Await;
import java.time.Duration;
import java.util.List;

import dev.loomgate.gateway.ratelimit.RateLimiterOptions;
import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers.Server;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.Test;

/** A node on Sentinel (master + replica + 3 sentinels): the master dies under load, limits keep working, no 5xx. */
class RateLimitSentinelTest {
    private static final String MASTER_NAME = "loomgate-gw";

    @Test
    void limitsKeepWorkingThroughFailover() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create(); TestUpstream upstream = TestUpstream.start("u")) {
            Server master = servers.startServer();
            Server replica = servers.startReplica(master);
            List<Server> sentinels = servers.startSentinels(3, MASTER_NAME, master);
            RedisSettings settings = RedisSettings.sentinel(MASTER_NAME, sentinels.stream().map(Server::address).toList());
            try (TestGateway node = TestGateway.start("""
                    upstreams:
                      - name: backend
                        endpoints: [ %s ]
                    routes:
                      - id: api
                        upstream: backend
                        rate-limit: { key: route, limit: 50, per: 1s, burst: 10 }
                    """.formatted(upstream.address()), c -> c.toBuilder().redis(settings)
                    // The default 5 ms latency budget is missed on a loaded 2-core box (JIT warm-up, other builds),
                    // which opened the breaker before the kill now and then; this test is about the failover: a
                    // killed master fails at once (connection refused) whatever the budget
                    .rateLimiter(RateLimiterOptions.builder().failureThreshold(5).latencyBudget(Duration.ofSeconds(1))
                            .probeInterval(Duration.ofMillis(200)).build()).build())) {
                RateLimitService limits = node.node().rateLimits();
                PacedLoad load = PacedLoad.start(List.of(node.uri("/x")), 100);
                Await.until("the limit to bite before the failover", () -> load.limited.sum() > 0);
                long limitedBefore = load.limited.sum();
                assertFalse(limits.degraded());
                long killedAt = System.nanoTime();
                servers.kill(master);
                Await.until("back on Redis through the promoted replica", Duration.ofSeconds(20),
                        () -> limits.engineMetrics().breakerOpenings() > 0 && !limits.degraded()
                                && RedisTestServers.info(replica.port(), "replication").contains("role:master"));
                long recoveredMs = (System.nanoTime() - killedAt) / 1_000_000;
                long limitedAtRecovery = load.limited.sum();
                long okAtRecovery = load.ok.sum();
                Thread.sleep(1_000); // a one-second window to measure the admitted rate in: the rate is what is tested
                load.stop();
                System.out.printf("Sentinel failover through the gateway: back on Redis %d ms after the kill; %s; "
                                + "fallback decisions %d%n", recoveredMs, load.summary(),
                        limits.engineMetrics().fallbackDecisions());
                assertEquals(0, load.serverErrors.sum() + load.failed.sum() + load.otherStatus.sum(), load.summary());
                assertTrue(limitedBefore > 0, "the limit bites before the failover");
                assertTrue(load.limited.sum() > limitedAtRecovery, "and after it");
                long okAfter = load.ok.sum() - okAtRecovery;
                assertTrue(okAfter >= 30 && okAfter <= 80, "about 50/s admitted after the failover: " + okAfter);
                assertTrue(limits.engineMetrics().fallbackDecisions() > 0, "the outage went through the fallback");
            }
        }
    }
}
