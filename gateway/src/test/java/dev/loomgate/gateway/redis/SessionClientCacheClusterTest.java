package dev.loomgate.gateway.redis;

import static dev.loomgate.gateway.redis.SessionClientCacheTest.HOUR;
import static dev.loomgate.gateway.redis.SessionClientCacheTest.cart;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.loomgate.gateway.redis.RedisSessionStore.Loaded;
import dev.loomgate.gateway.redis.RedisTestServers.Server;
import dev.loomgate.testsupport.Await;

/**
 * The client-side session cache on a real 3-master Redis Cluster (one replica each): tracking armed on every master;
 * another store's writes, rotations and logouts on every master are never served stale; a slot migrated to another
 * master and a killed master (its replica promoted) flush the cache, which then re-arms on the new slot map. One
 * cluster for the class; the kill runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SessionClientCacheClusterTest {
    private static RedisTestServers servers;
    private static RedisTestCluster cluster;
    private static RedisSettings settings;

    @BeforeAll
    static void start() {
        servers = RedisTestServers.create();
        cluster = RedisTestCluster.start(servers, 3, 1);
        settings = RedisSettings.builder(RedisSettings.cluster(cluster.seeds()).topology())
                .readTimeout(Duration.ofMillis(500)).build();
    }

    @AfterAll
    static void stop() {
        servers.close();
    }

    /** Armed on all three masters, and only on them. */
    private static SessionCache armedOnAllMasters(RedisSessionStore store) {
        SessionCache cache = SessionClientCacheTest.armedCache(store);
        Await.until("armed on every master", Duration.ofSeconds(15), () -> Set.copyOf(cache.armedNodes())
                .equals(Set.copyOf(cluster.masters().stream().map(Server::address).toList())));
        return cache;
    }

    /** Ids whose keys live on every master, {@code perMaster} each at least. */
    private static List<String> spreadIds(String prefix, int perMaster) {
        List<String> ids = new ArrayList<>();
        Map<Integer, Integer> count = new java.util.HashMap<>();
        for (int i = 0; count.size() < 3 || count.values().stream().anyMatch(c -> c < perMaster); i++) {
            String id = prefix + i + "-" + System.nanoTime();
            int port = cluster.masterOf(RedisSessionStore.key(id)).port();
            if (count.getOrDefault(port, 0) < perMaster) {
                count.merge(port, 1, Integer::sum);
                ids.add(id);
            }
        }
        return ids;
    }

    @Test
    @Order(1)
    void writesRotationsAndLogoutsOnEveryMasterAreNeverServedStale() throws Exception {
        try (RedisSessionStore a = RedisSessionStore.open(settings); RedisSessionStore b = RedisSessionStore.open(
                settings)) {
            SessionCache cache = armedOnAllMasters(b);
            List<String> ids = spreadIds("spread-", 7); // 21 sessions, 7 on each master
            Set<Integer> masters = new HashSet<>();
            int stale = 0;
            int writes = 0;
            for (String id : ids) {
                masters.add(cluster.masterOf(RedisSessionStore.key(id)).port());
                a.create(id, Map.of("cart", "0"), HOUR);
                b.load(id, HOUR, true); // the script: clock sample, touch
                for (int round = 1; round <= 48; round++) {
                    cart(b, id); // cached (after the first plain read)
                    cart(b, id);
                    assertEquals(RedisSessionStore.WriteResult.OK,
                            a.write(id, Map.of("cart", Integer.toString(round)), List.of(), 64, HOUR));
                    writes++;
                    if (!Integer.toString(round).equals(cart(b, id))) {
                        stale++;
                    }
                }
                String rotated = "rotated-" + id;
                cart(b, id);
                assertTrue(a.rotate(id, rotated, Map.of(), List.of(), Duration.ZERO, HOUR));
                if (!(b.load(id, HOUR, true) instanceof Loaded.Missing)) {
                    stale++;
                }
                cart(b, rotated);
                cart(b, rotated);
                assertTrue(a.delete(rotated));
                if (!(b.load(rotated, HOUR, true) instanceof Loaded.Missing)) {
                    stale++;
                }
            }
            long hits = cache.hits.sum();
            System.out.printf("client cache on Redis Cluster, %d sessions on %d masters x 48 writes by another store"
                            + " (%d writes): stale %d, hits %d, misses %d, invalidations %d, flushes %d%n", ids.size(),
                    masters.size(), writes, stale, hits, cache.misses.sum(), cache.invalidations.sum(),
                    cache.flushes.sum());
            assertEquals(3, masters.size(), "sessions on every master");
            assertEquals(0, stale, "no load after another store's change returned the old copy");
            assertTrue(hits >= 1000, "the cache served reads: " + hits);
            assertTrue(cache.invalidations.sum() >= 1000, "invalidations came from every master");
            // what a hit costs on Cluster (three quiet checks, the cluster client's slot lookup) vs. a Redis read
            String busy = "cost-" + System.nanoTime();
            a.create(busy, Map.of("cart", "3 items"), HOUR);
            b.load(busy, HOUR, true);
            double[] cached = cost(b, busy, true, 20_000);
            double[] plain = cost(b, busy, false, 2_000);
            System.out.printf("session load on Redis Cluster, node thread CPU / wall per load: client cache %.1f /"
                    + " %.1f us (%.0f%% hits), plain HGETALL %.1f / %.1f us%n", cached[0], cached[1], cached[2] * 100,
                    plain[0], plain[1]);
            assertTrue(cached[2] > 0.95, "a busy session is served from the cache: " + cached[2]);
        }
    }

    @Test
    @Order(2)
    void aMigratedSlotIsNeverServedStaleAndTheCacheReArms() throws Exception {
        try (RedisSessionStore a = RedisSessionStore.open(settings); RedisSessionStore b = RedisSessionStore.open(
                settings)) {
            SessionCache cache = armedOnAllMasters(b);
            String id = cachedSession(a, b, cache, "migrating-");
            String key = RedisSessionStore.key(id);
            Server from = cluster.masterOf(key);
            Server to = cluster.masters().stream().filter(m -> m.port() != from.port()).findFirst().orElseThrow();
            String slot = Long.toString(redis.clients.jedis.util.JedisClusterCRC16.getSlot(key));
            String fromId = RedisTestServers.command(from.port(), "CLUSTER", "MYID").getFirst();
            String toId = RedisTestServers.command(to.port(), "CLUSTER", "MYID").getFirst();
            int stale = 0;
            int round = 0;
            long flushes = cache.flushes.sum();
            RedisTestServers.command(to.port(), "CLUSTER", "SETSLOT", slot, "IMPORTING", fromId);
            RedisTestServers.command(from.port(), "CLUSTER", "SETSLOT", slot, "MIGRATING", toId);
            stale += writeThenRead(a, b, id, "before-migrate-", 10);
            RedisTestServers.command(from.port(), "MIGRATE", "127.0.0.1", Integer.toString(to.port()), "", "0",
                    "5000", "KEYS", key);
            stale += writeThenRead(a, b, id, "asked-", 10); // the key is on the importing master: ASK redirects
            RedisTestServers.command(to.port(), "CLUSTER", "SETSLOT", slot, "NODE", toId);
            RedisTestServers.command(from.port(), "CLUSTER", "SETSLOT", slot, "NODE", toId);
            stale += writeThenRead(a, b, id, "moved-", 10);
            Await.until("flushed: the slot map changed", Duration.ofSeconds(5), () -> cache.flushes.sum() > flushes);
            Await.until("the importing master owns the slot", () -> cluster.masterOf(key).port() == to.port());
            armedOnAllMasters(b);
            long hits = cache.hits.sum();
            for (round = 1; round <= 30; round++) {
                stale += writeThenRead(a, b, id, "after-", 1);
                cart(b, id);
            }
            System.out.printf("client cache, slot %s migrated %d -> %d under writes by another store: stale %d, hits"
                    + " after re-arming %d%n", slot, from.port(), to.port(), stale, cache.hits.sum() - hits);
            assertEquals(0, stale, "consistent through the migration");
            assertTrue(cache.hits.sum() > hits, "hits resume for the migrated slot's new master");
        }
    }

    @Test
    @Order(3)
    void aKilledMasterFlushesReadsGoOnAndTheCacheReArmsOnThePromotedReplica() throws Exception {
        try (RedisSessionStore a = RedisSessionStore.open(settings); RedisSessionStore b = RedisSessionStore.open(
                settings)) {
            SessionCache cache = armedOnAllMasters(b);
            String id = cachedSession(a, b, cache, "failover-");
            String key = RedisSessionStore.key(id);
            Server victim = cluster.masterOf(key);
            Await.until("replicas caught up", Duration.ofSeconds(10), SessionClientCacheClusterTest::replicasCaughtUp);
            long flushes = cache.flushes.sum();
            servers.kill(victim);
            Await.until("flushed when the master died", Duration.ofSeconds(5), () -> cache.flushes.sum() > flushes);
            assertTrue(cache.get(key).isEmpty(), "nothing served from the dead master's word");
            Await.until("reads work again (the promoted replica)", Duration.ofSeconds(30), () -> {
                try {
                    return "0".equals(cart(b, id));
                } catch (RedisSessionStore.Unavailable e) {
                    return false;
                }
            });
            Server promoted = cluster.masterOf(key);
            assertFalse(promoted.port() == victim.port());
            armedOnAllMasters(b);
            assertTrue(cache.armedNodes().contains(promoted.address()), "armed on the promoted replica");
            assertFalse(cache.armedNodes().contains(victim.address()));
            long hits = cache.hits.sum();
            int stale = 0;
            for (int round = 1; round <= 50; round++) {
                stale += writeThenRead(a, b, id, "f", 1);
                cart(b, id);
            }
            System.out.printf("client cache, master %d killed, %d promoted: stale %d, hits after re-arming %d%n",
                    victim.port(), promoted.port(), stale, cache.hits.sum() - hits);
            assertEquals(0, stale, "consistent after re-arming on the promoted replica");
            assertTrue(cache.hits.sum() > hits, "hits resume");
        }
    }

    /** A new session (cart "0") written by {@code a}, once {@code b}'s cache holds it. */
    private static String cachedSession(RedisSessionStore a, RedisSessionStore b, SessionCache cache, String prefix) {
        String id = prefix + System.nanoTime();
        a.create(id, Map.of("cart", "0"), HOUR);
        b.load(id, HOUR, true);
        Await.until("cached", () -> {
            cart(b, id);
            return cache.get(RedisSessionStore.key(id)).isPresent();
        });
        return id;
    }

    /** Thread CPU and wall time per load (µs), and the share of hits, over {@code n} loads of {@code id}. */
    private static double[] cost(RedisSessionStore store, String id, boolean clientCache, int n) {
        SessionCache cache = store.cache().orElseThrow();
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < n / 4; i++) {
            store.load(id, HOUR, clientCache); // warm-up
        }
        long hits0 = cache.hits.sum();
        long cpu0 = mx.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            store.load(id, HOUR, clientCache);
        }
        return new double[] {(mx.getCurrentThreadCpuTime() - cpu0) / 1e3 / n, (System.nanoTime() - wall0) / 1e3 / n,
                (cache.hits.sum() - hits0) / (double) n};
    }

    /** {@code n} writes by {@code a} (retried while the cluster is changing), each read back through {@code b}. */
    private static int writeThenRead(RedisSessionStore a, RedisSessionStore b, String id, String tag, int n) {
        int stale = 0;
        for (int i = 0; i < n; i++) {
            String value = tag + i + "-" + System.nanoTime();
            cart(b, id);
            Await.until("a wrote " + value, Duration.ofSeconds(10), () -> {
                try {
                    return a.write(id, Map.of("cart", value), List.of(), 64, HOUR)
                            == RedisSessionStore.WriteResult.OK;
                } catch (RedisSessionStore.Unavailable e) {
                    return false;
                }
            });
            if (!value.equals(cart(b, id))) {
                stale++;
            }
        }
        return stale;
    }

    /** Every live replica's offset equals its master's. */
    private static boolean replicasCaughtUp() {
        for (Server n : cluster.masters()) {
            String info = RedisTestServers.info(n.port(), "replication");
            long master = 0;
            for (String line : info.split("\r?\n")) {
                if (line.startsWith("master_repl_offset:")) {
                    master = Long.parseLong(line.substring("master_repl_offset:".length()).strip());
                }
            }
            for (String line : info.split("\r?\n")) {
                if (line.startsWith("slave") && line.contains("offset=")
                        && Long.parseLong(line.replaceAll(".*offset=(\\d+).*", "$1")) < master) {
                    return false;
                }
            }
        }
        return true;
    }
}
