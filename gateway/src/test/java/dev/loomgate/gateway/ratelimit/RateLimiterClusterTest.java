package dev.loomgate.gateway.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomgate.gateway.redis.RedisConnections;
import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestCluster;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.testsupport.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Rate limits on a real 3-master Redis Cluster (3 replicas): exact shared limits, and a master killed mid-run. */
class RateLimiterClusterTest {
    private static RedisTestServers servers;
    private static RedisTestCluster cluster;

    @BeforeAll
    static void startCluster() {
        servers = RedisTestServers.create();
        cluster = RedisTestCluster.start(servers, 3, 1);
    }

    @AfterAll
    static void stopCluster() {
        if (servers != null) {
            servers.close();
        }
    }

    private static RedisSettings settings() {
        return RedisSettings.builder(RedisSettings.cluster(cluster.seeds()).topology())
                .readTimeout(Duration.ofMillis(500)).build();
    }

    @Test
    void twoNodesShareEachLimitExactlyAcrossAllMasters() {
        try (RedisConnections c1 = RedisConnections.open(settings());
             RedisConnections c2 = RedisConnections.open(settings());
             RateLimiter node1 = RateLimiter.create(c1, RateLimiterRedisTest.lenientOptions(), () -> 2,
                     new RateLimitMetrics());
             RateLimiter node2 = RateLimiter.create(c2, RateLimiterRedisTest.lenientOptions(), () -> 2,
                     new RateLimitMetrics())) {
            RateLimitPolicy policy = new RateLimitPolicy("cluster-" + UUID.randomUUID().toString().substring(0, 8),
                    List.of(new Bandwidth(10, Duration.ofHours(1))), new KeySource.Header("X-Api-Key"));
            RateLimiter[] nodes = {node1, node2};
            int keys = 60;
            for (int k = 0; k < keys; k++) {
                long admitted = 0;
                for (int i = 0; i < 15; i++) {
                    RateLimitDecision d = nodes[i % 2].tryAcquire(policy, "route", "client-" + k);
                    assertTrue(!d.degraded(), "decision from Redis, not the fallback (key " + k + ")");
                    admitted += d.allowed() ? 1 : 0;
                }
                assertEquals(10, admitted, "client-" + k + ": the two nodes admit exactly the shared limit");
            }
            // The buckets really are sharded: every master holds some of them.
            for (RedisTestServers.Server master : cluster.masters()) {
                long size = Long.parseLong(command(master, "DBSIZE"));
                assertTrue(size > 0, "master " + master + " holds buckets (DBSIZE " + size + ")");
            }
        }
    }

    @Test
    void aMasterKilledMidRunLeavesEveryCallAnsweredAndLimitsComeBackOnRedis() throws Exception {
        RateLimitMetrics metrics = new RateLimitMetrics();
        try (RedisConnections connections = RedisConnections.open(settings());
             RateLimiter limiter = RateLimiter.create(connections, RateLimiterRedisTest.lenientOptions(), () -> 1,
                     metrics)) {
            RateLimitPolicy policy = new RateLimitPolicy("kill-" + UUID.randomUUID().toString().substring(0, 8),
                    List.of(new Bandwidth(1_000_000, Duration.ofSeconds(1))), new KeySource.Header("X-Api-Key"));
            ConcurrentLinkedQueue<Throwable> thrown = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong decisions = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            List<Thread> callers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int n = t;
                callers.add(Thread.ofVirtual().start(() -> {
                    for (long i = 0; !stop.get() && i < 5_000_000; i++) {
                        try {
                            RateLimitDecision d = limiter.tryAcquire(policy, "r", "caller-" + n + "-" + (i % 50));
                            decisions.incrementAndGet();
                            refused.addAndGet(d.allowed() ? 0 : 1);
                            Thread.sleep(1); // paces the callers, not synchronisation
                        } catch (Throwable e) {
                            thrown.add(e);
                        }
                    }
                }));
            }
            Await.until("callers running on the cluster", () -> decisions.get() >= 200);
            RedisTestServers.Server victim = cluster.masters().getFirst();
            long killedAt = System.nanoTime();
            servers.kill(victim);
            long before = decisions.get();
            // masters() lists live masters only: 3 again once the victim's replica is promoted.
            Await.until("the killed master's replica promoted", Duration.ofSeconds(30),
                    () -> cluster.masters().size() == 3);
            long promotedMs = (System.nanoTime() - killedAt) / 1_000_000;
            cluster.awaitHealthy();
            Await.until("limiter answers from Redis again", Duration.ofSeconds(20),
                    () -> !limiter.tryAcquire(policy, "r", "after-failover").degraded()
                            && limiter.breakerState().equals("CLOSED"));
            long recoveredMs = (System.nanoTime() - killedAt) / 1_000_000;
            Await.until("more decisions after recovery", () -> decisions.get() > before + 200);
            stop.set(true);
            for (Thread t : callers) {
                t.join();
            }
            System.out.printf("Redis Cluster master %s killed: replica promoted after %d ms, %d decisions, %d from "
                            + "the fallback, back on Redis after %d ms%n", victim, promotedMs, decisions.get(),
                    metrics.fallbackDecisions(), recoveredMs);
            assertTrue(metrics.fallbackDecisions() > 0, "calls on the dead master's slots went to the fallback");
            assertTrue(thrown.isEmpty(), "exceptions reached callers: " + thrown);
            assertEquals(0, refused.get(), "a limit far above the load refuses nothing, on Redis or in fallback");
            assertEquals(3, cluster.masters().size(), "the killed master's replica took its slots");
        }
    }

    private static String command(RedisTestServers.Server server, String... args) {
        try {
            return RedisTestServers.command(server.port(), args).getFirst();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
