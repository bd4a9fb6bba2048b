package dev.loomgate.gateway.policy.cache;

import static dev.loomgate.gateway.policy.cache.CacheFilterTest.get;
import static dev.loomgate.gateway.policy.cache.CacheFilterTest.xCache;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestCluster;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.testsupport.Await;
import org.junit.jupiter.api.Test;

/** The cache on a real 3-master Redis Cluster (one replica each): shared entries, purges, and a master killed. */
class CacheRedisClusterTest {
    @Test
    void sharedEntriesPurgesAndAMasterKilledWithoutServerErrors() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create(); CacheUpstream upstream = new CacheUpstream()) {
            RedisTestCluster cluster = RedisTestCluster.start(servers, 3, 1);
            RedisSettings settings = RedisSettings.builder(RedisSettings.cluster(cluster.seeds()).topology())
                    .readTimeout(Duration.ofMillis(500)).build();
            List<TestGateway> nodes = CacheClusterTest.nodes(2, upstream.address(), settings);
            TestGateway a = nodes.get(0);
            TestGateway b = nodes.get(1);
            try {
                // 30 keys land on all three masters
                for (int i = 0; i < 30; i++) {
                    assertEquals("MISS", xCache(get(a, "/c" + i)));
                    assertEquals("HIT", xCache(get(b, "/c" + i)), "b finds a's entry in the cluster");
                }
                String before = get(b, "/c0").body();
                CacheClusterTest.purge(a, "{\"route\":\"api\"}");
                Await.until("the route purge on b (pub/sub across the cluster)", Duration.ofSeconds(5),
                        () -> !get(b, "/c0").body().equals(before));

                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong ok = new AtomicLong();
                ConcurrentHashMap<Integer, Long> other = new ConcurrentHashMap<>();
                List<Throwable> thrown = new java.util.concurrent.CopyOnWriteArrayList<>();
                List<Thread> callers = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    TestGateway n = nodes.get(t % 2);
                    int offset = t;
                    callers.add(Thread.ofVirtual().start(() -> {
                        int i = offset;
                        while (!stop.get()) {
                            try {
                                HttpResponse<String> r = get(n, "/load" + (i++ % 40));
                                if (r.statusCode() == 200) {
                                    ok.incrementAndGet();
                                } else {
                                    other.merge(r.statusCode(), 1L, Long::sum);
                                }
                                Thread.sleep(2); // paces the callers
                            } catch (Throwable e) {
                                thrown.add(e);
                            }
                        }
                    }));
                }
                Await.until("load on the cluster", () -> ok.get() >= 200);
                RedisTestServers.Server victim = cluster.masters().getFirst();
                long killedAt = System.nanoTime();
                servers.kill(victim);
                Await.until("the killed master's replica promoted", Duration.ofSeconds(30),
                        () -> cluster.masters().size() == 3);
                cluster.awaitHealthy();
                long atPromotion = ok.get();
                Await.until("more answers after the failover", Duration.ofSeconds(20), () -> ok.get() > atPromotion + 200);
                stop.set(true);
                for (Thread t : callers) {
                    t.join();
                }
                System.out.printf("Cache on Redis Cluster: master killed, promoted after %d ms; %d answers 200, "
                        + "others %s, client errors %d%n", (System.nanoTime() - killedAt) / 1_000_000, ok.get(), other,
                        thrown.size());
                assertTrue(thrown.isEmpty(), "no failed requests: " + thrown);
                assertTrue(other.isEmpty(), "0 non-200 (no 5xx) through the failover: " + other);
            } finally {
                nodes.forEach(TestGateway::close);
            }
        }
    }
}
