package dev.loomgate.gateway.policy.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomgate.gateway.ratelimit.RateLimiterOptions;
import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The failover-under-load check the Redis topologies share (RateLimitSentinelTest, RateLimitRedisClusterTest): a
 * node rate-limits one route (50/s, burst 10) under 100 req/s, the master holding the bucket dies, limits keep
 * working through the node-local fallback and come back on Redis; no 5xx, about 50/s admitted afterwards. What
 * differs per topology is how the master is killed and how the test knows the failover is over.
 */
final class RateLimitFailover {
    /** Kills the master that holds the route's bucket. */
    @FunctionalInterface
    interface MasterKill {
        void kill() throws Exception;
    }

    /** Waits (bounded) until the failover is over: a replica promoted and the node back on Redis. */
    @FunctionalInterface
    interface FailoverOver {
        void await(RateLimitService limits) throws Exception;
    }

    private RateLimitFailover() {
    }

    /** The node's own view of the failover being over: the breaker opened during the outage and closed again. */
    static BooleanSupplier backOnRedis(RateLimitService limits) {
        return () -> limits.engineMetrics().breakerOpenings() > 0 && !limits.degraded();
    }

    /**
     * Runs the check against a node on {@code settings}.
     *
     * @param topology names the topology in the printed figures ("Sentinel", "Redis Cluster")
     */
    static void check(String topology, RedisSettings settings, MasterKill killMaster, FailoverOver failoverOver)
            throws Exception {
        try (TestUpstream upstream = TestUpstream.start("u"); TestGateway node = TestGateway.start("""
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
            killMaster.kill();
            failoverOver.await(limits);
            long recoveredMs = (System.nanoTime() - killedAt) / 1_000_000;
            long limitedAtRecovery = load.limited.sum();
            long okAtRecovery = load.ok.sum();
            Thread.sleep(1_000); // a one-second window to measure the admitted rate in: the rate is what is tested
            load.stop();
            System.out.printf("%s failover through the gateway: back on Redis %d ms after the kill; %s; "
                    + "fallback decisions %d%n", topology, recoveredMs, load.summary(),
                    limits.engineMetrics().fallbackDecisions());
            assertEquals(0, load.serverErrors.sum() + load.failed.sum() + load.otherStatus.sum(), load.summary());
            assertTrue(limitedBefore > 0, "the limit bites before the failover");
            assertTrue(load.limited.sum() > limitedAtRecovery, "the limit bites after the failover");
            long okAfter = load.ok.sum() - okAtRecovery;
            assertTrue(okAfter >= 30 && okAfter <= 80, "about 50/s admitted after the failover: " + okAfter);
            assertTrue(limits.engineMetrics().fallbackDecisions() > 0, "the outage went through the fallback");
        }
    }
}
