package dev.loomgate.gateway.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomgate.testsupport.Await;
import dev.loomgate.gateway.redis.RedisAddress;
import dev.loomgate.gateway.redis.RedisConnections;
import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers.Server;
import dev.loomgate.gateway.redis.RedisTestServers;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Master + replica + 3 sentinels; the master dies under load and the limiter follows the promoted replica. */
class RateLimiterSentinelTest {
    private static final String MASTER_NAME = "loomgate-test";

    @Test
    void followsFailoverWithoutErrors() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            Server master = servers.startServer();
            Server replica = servers.startReplica(master);
            List<Server> sentinels = servers.startSentinels(3, MASTER_NAME, master);
            RedisSettings settings = RedisSettings.sentinel(MASTER_NAME,
                    sentinels.stream().map(Server::address).toList());
            RateLimitMetrics metrics = new RateLimitMetrics();
            RateLimiterOptions options = RateLimiterOptions.builder()
                    .failureThreshold(3).latencyBudget(Duration.ofMillis(500)).probeInterval(Duration.ofMillis(100)).build();
            try (RedisConnections connections = RedisConnections.open(settings);
                 RateLimiter limiter = RateLimiter.create(connections, options, () -> 1, metrics)) {
                assertEquals(Optional.of(master.address()), connections.currentMaster());
                RateLimitPolicy policy = new RateLimitPolicy("sentinel",
                        List.of(new Bandwidth(100_000, Duration.ofSeconds(1))), new KeySource.Route());
                assertFalse(limiter.tryAcquire(policy, "r", "*").degraded());

                ConcurrentLinkedQueue<Throwable> thrown = new ConcurrentLinkedQueue<>();
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong decisions = new AtomicLong();
                AtomicLong degradedDecisions = new AtomicLong();
                AtomicLong firstDegraded = new AtomicLong();
                AtomicLong lastDegraded = new AtomicLong();
                Thread caller = Thread.ofVirtual().start(() -> {
                    while (!stop.get()) {
                        try {
                            RateLimitDecision d = limiter.tryAcquire(policy, "r", "*");
                            decisions.incrementAndGet();
                            if (d.degraded()) {
                                long now = System.nanoTime();
                                firstDegraded.compareAndSet(0, now);
                                lastDegraded.set(now);
                                degradedDecisions.incrementAndGet();
                            }
                            Thread.sleep(2); // paces the caller (about 500 decisions/s), not synchronisation
                        } catch (Throwable e) {
                            thrown.add(e);
                        }
                    }
                });
                Await.until("the caller to run on Redis", () -> decisions.get() >= 20);
                long killedAt = System.nanoTime();
                servers.kill(master);
                RedisAddress promoted = replica.address();
                Await.until("limiter back on Redis via the promoted replica", Duration.ofSeconds(20),
                        () -> firstDegraded.get() != 0 && !limiter.degraded()
                                && connections.currentMaster().equals(Optional.of(promoted)));
                long recoveredMs = (System.nanoTime() - killedAt) / 1_000_000;
                long decisionsAfterRecovery = decisions.get();
                Await.until("the caller to go on after the recovery", () -> decisions.get() >= decisionsAfterRecovery + 20);
                stop.set(true);
                caller.join();

                double degradedMs = (lastDegraded.get() - firstDegraded.get()) / 1e6;
                System.out.printf("Sentinel failover: degraded for %.0f ms (%d of %d decisions from the fallback), "
                                + "back on Redis %d ms after the kill, new master %s%n",
                        degradedMs, degradedDecisions.get(), decisions.get(),
                        recoveredMs, connections.currentMaster().orElseThrow());
                assertTrue(thrown.isEmpty(), "exceptions reached the caller: " + thrown);
                assertTrue(degradedDecisions.get() > 0, "the outage was noticed");
                assertTrue(decisions.get() > decisionsAfterRecovery, "decisions kept coming after recovery");
                assertFalse(limiter.tryAcquire(policy, "r", "*").degraded());
                assertEquals("role:master", RedisTestServers.info(replica.port(), "replication").lines()
                        .filter(l -> l.startsWith("role:")).findFirst().orElse("").strip());
                assertTrue(metrics.breakerOpenings() >= 1);
            }
        }
    }
}
