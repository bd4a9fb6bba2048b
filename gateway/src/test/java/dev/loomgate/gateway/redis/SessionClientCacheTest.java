package dev.loomgate.gateway.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.loomgate.gateway.redis.RedisSessionStore.Loaded;
import dev.loomgate.testsupport.Await;

/**
 * Client-side caching of session hashes (CLIENT TRACKING BCAST, RESP2) on a real redis-server: another node's write,
 * rotation or logout is seen by the very next load; an invalidation overtaking a read prevents its store; losing a
 * tracking connection or the server flushes and disables the cache until re-armed; timeouts hold on cache hits.
 */
class SessionClientCacheTest {
    static final RedisSessionStore.Timeouts HOUR = new RedisSessionStore.Timeouts(Duration.ofHours(1),
            Duration.ofHours(1), Duration.ofHours(2));

    static RedisSessionStore store(RedisSettings settings) {
        return RedisSessionStore.open(settings);
    }

    static RedisSettings standalone(RedisTestServers.Server redis) {
        return RedisSettings.builder(RedisSettings.standalone("127.0.0.1", redis.port()).topology())
                .readTimeout(Duration.ofSeconds(2)).build();
    }

    static SessionCache armedCache(RedisSessionStore store) {
        SessionCache cache = store.cache().orElseThrow();
        Await.until("tracking armed", () -> cache.armed());
        return cache;
    }

    static String cart(RedisSessionStore store, String id) {
        return assertInstanceOf(Loaded.Found.class, store.load(id, HOUR, true)).fields().get("cart");
    }

    @Test
    void otherNodesWritesRotationAndLogoutAreNeverServedStale() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            RedisTestServers.Server redis = servers.startServer();
            try (RedisSessionStore a = store(standalone(redis)); RedisSessionStore b = store(standalone(redis))) {
                SessionCache cache = armedCache(b);
                int stale = 0;
                for (int n = 0; n < 20; n++) {
                    String id = "shared-" + n + "-" + System.nanoTime();
                    a.create(id, Map.of("cart", "0"), HOUR);
                    b.load(id, HOUR, true); // the script: clock sample, touch
                    for (int round = 1; round <= 50; round++) {
                        cart(b, id); // cached (after the first plain read)
                        cart(b, id);
                        long heard = cache.invalidations.sum();
                        assertEquals(RedisSessionStore.WriteResult.OK,
                                a.write(id, Map.of("cart", Integer.toString(round)), List.of(), 64, HOUR));
                        // races the write's invalidation on purpose: it must not be served stale either way
                        if (!Integer.toString(round).equals(cart(b, id))) {
                            stale++;
                        }
                        // The read above is not stored when the invalidation is applied while it runs, which on a
                        // busy machine (the reader thread waits for a core) is most of the time: the next round's
                        // first read then misses. Waiting here for it keeps at least one hit per round.
                        Await.until("the invalidation of write " + round, () -> cache.invalidations.sum() > heard);
                    }
                    String rotated = "rotated-" + n + "-" + System.nanoTime();
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
                System.out.printf("client cache, 20 sessions x 50 writes by another store: stale %d, hits %d,"
                        + " misses %d, invalidations %d%n", stale, hits, cache.misses.sum(), cache.invalidations.sum());
                assertEquals(0, stale, "no load after another node's change returned the old copy");
                assertTrue(hits >= 1000, "the cache served reads: " + hits);
                assertTrue(cache.invalidations.sum() >= 1000, "invalidations came from Redis");
            }
        }
    }

    @Test
    void anInvalidationOvertakingTheReadPreventsTheStore() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            RedisTestServers.Server redis = servers.startServer();
            try (RedisSessionStore store = store(standalone(redis))) {
                SessionCache cache = armedCache(store);
                String key = RedisSessionStore.key("race-" + System.nanoTime());
                Map<String, String> old = Map.of("cart", "old");
                long written = cache.invalidations.sum();
                RedisTestServers.command(redis.port(), "HSET", key, "cart", "old");
                Await.until("the write's own invalidation arrived", () -> cache.invalidations.sum() > written);
                // Control: nothing in between, the read is stored.
                SessionCache.Stamp clean = cache.begin(key).orElseThrow();
                cache.store(clean, key, old);
                assertEquals(Optional.of(old), cache.get(key));
                // The race: the read began, another client changed the key, its invalidation arrived, then the store.
                RedisTestServers.command(redis.port(), "DEL", key); // removes the stored copy (invalidation)
                Await.until("invalidated", () -> cache.get(key).isEmpty());
                SessionCache.Stamp stamp = cache.begin(key).orElseThrow();
                long before = cache.invalidations.sum();
                RedisTestServers.command(redis.port(), "HSET", key, "cart", "new");
                Await.until("the invalidation arrived", () -> cache.invalidations.sum() > before);
                cache.store(stamp, key, old);
                assertEquals(Optional.empty(), cache.get(key), "a read overtaken by an invalidation is not stored");
                // A flush between read start and store prevents it too.
                SessionCache.Stamp beforeFlush = cache.begin(key).orElseThrow();
                long flushes = cache.flushes.sum();
                RedisTestServers.command(redis.port(), "FLUSHALL");
                Await.until("flushed", () -> cache.flushes.sum() > flushes);
                cache.store(beforeFlush, key, old);
                Await.until("re-armed", cache::armed);
                assertEquals(Optional.empty(), cache.get(key), "a read overtaken by a flush is not stored");
            }
        }
    }

    @Test
    void losingATrackingConnectionOrTheServerFlushesThenReArms() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            RedisTestServers.Server redis = servers.startServer();
            try (RedisSessionStore a = store(standalone(redis)); RedisSessionStore b = store(standalone(redis))) {
                SessionCache cache = armedCache(b);
                String id = "kill-" + System.nanoTime();
                a.create(id, Map.of("cart", "0"), HOUR);
                b.load(id, HOUR, true);
                for (String type : List.of("pubsub", "tracking", "server")) {
                    Await.until(type + ": cached before", () -> {
                        cart(b, id);
                        return cache.get(RedisSessionStore.key(id)).isPresent();
                    });
                    long flushes = cache.flushes.sum();
                    switch (type) {
                        case "pubsub" -> RedisTestServers.command(redis.port(), "CLIENT", "KILL", "TYPE", "pubsub");
                        case "tracking" -> RedisTestServers.command(redis.port(), "CLIENT", "KILL", "ID",
                                trackingClientId(redis));
                        default -> {
                            servers.kill(redis);
                            Await.until("flushed after the server died", () -> cache.flushes.sum() > flushes);
                            assertFalse(cache.armed(), "not armed while the server is down");
                            assertTrue(cache.get(RedisSessionStore.key(id)).isEmpty(), "nothing served meanwhile");
                            servers.restart(redis);
                            // no persistence: the session is gone; the pools' first calls may hit dead sockets
                            Await.until("pools reconnected", () -> {
                                try {
                                    a.create(id, Map.of("cart", "0"), HOUR);
                                    b.load(id, HOUR, true);
                                    return true;
                                } catch (RedisSessionStore.Unavailable e) {
                                    return false;
                                }
                            });
                        }
                    }
                    Await.until(type + ": flushed", () -> cache.flushes.sum() > flushes);
                    Await.until(type + ": re-armed", cache::armed);
                    Await.until(type + ": exactly one tracking connection again (the old one closed)", () -> {
                        try {
                            return trackingCount(redis).equals("1");
                        } catch (Exception e) {
                            return false;
                        }
                    });
                    for (int round = 1; round <= 20; round++) {
                        cart(b, id);
                        a.write(id, Map.of("cart", type + round), List.of(), 64, HOUR);
                        assertEquals(type + round, cart(b, id), type + ": consistent after re-arming");
                    }
                }
            }
        }
    }

    @Test
    void aSilentServerFlushesAfterTheReadTimeout() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            RedisTestServers.Server redis = servers.startServer();
            RedisSettings settings = standalone(redis).toBuilder().readTimeout(Duration.ofMillis(500)).build();
            try (RedisSessionStore store = store(settings)) {
                SessionCache cache = armedCache(store);
                String id = "silent-" + System.nanoTime();
                store.create(id, Map.of("cart", "1"), HOUR);
                store.load(id, HOUR, true);
                Await.until("cached", () -> {
                    cart(store, id);
                    return cache.get(RedisSessionStore.key(id)).isPresent();
                });
                long flushes = cache.flushes.sum();
                signal(redis, "STOP"); // a partition: no EOF, no answer
                try {
                    Await.until("flushed: A stopped answering PING", Duration.ofSeconds(5),
                            () -> cache.flushes.sum() > flushes);
                    assertFalse(cache.armed());
                    assertTrue(cache.get(RedisSessionStore.key(id)).isEmpty(), "nothing served while silent");
                } finally {
                    signal(redis, "CONT");
                }
                Await.until("re-armed", Duration.ofSeconds(15), cache::armed);
            }
        }
    }

    private static void signal(RedisTestServers.Server redis, String sig) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + sig, Long.toString(redis.pid())).start().waitFor());
    }

    @Test
    void timeoutsHoldOnCacheHits() throws Exception {
        RedisSessionStore.Timeouts idle = new RedisSessionStore.Timeouts(Duration.ofMillis(1500), Duration.ofHours(1),
                Duration.ofHours(2));
        try (RedisTestServers servers = RedisTestServers.create()) {
            // No active expiry: Redis would not delete the key (nor send its invalidation) by itself, so only the
            // timeout check on the cached copy can end the session.
            RedisTestServers.Server redis = servers.startServer(List.of("--enable-debug-command", "yes"));
            RedisTestServers.command(redis.port(), "DEBUG", "SET-ACTIVE-EXPIRE", "0");
            try (RedisSessionStore store = store(standalone(redis))) {
                SessionCache cache = armedCache(store);
                String id = "idle-" + System.nanoTime();
                store.create(id, Map.of("cart", "1"), idle);
                store.load(id, idle, true);
                Await.until("served from the cache", () -> {
                    long hits = cache.hits.sum();
                    assertInstanceOf(Loaded.Found.class, store.load(id, idle, true));
                    return cache.hits.sum() > hits;
                });
                long last = System.nanoTime(); // after every load: the stored last access is older still
                Await.until("idle timeout passed", Duration.ofSeconds(5),
                        () -> System.nanoTime() - last > Duration.ofMillis(1600).toNanos());
                assertTrue(cache.get(RedisSessionStore.key(id)).isPresent(), "still cached: nothing invalidated it");
                Loaded after = store.load(id, idle, true);
                assertInstanceOf(Loaded.Missing.class, after, "idle session ended although cached");
            }
        }
    }

    static String trackingClientId(RedisTestServers.Server redis) throws Exception {
        for (String line : RedisTestServers.command(redis.port(), "CLIENT", "LIST").getFirst().split("\n")) {
            if (line.matches(".*flags=\\S*t\\S* .*")) {
                return line.replaceAll("^id=(\\d+) .*$", "$1").strip();
            }
        }
        throw new AssertionError("no tracking client");
    }

    static String trackingCount(RedisTestServers.Server redis) throws Exception {
        long n = 0;
        for (String line : RedisTestServers.command(redis.port(), "CLIENT", "LIST").getFirst().split("\n")) {
            if (line.matches(".*flags=\\S*t\\S* .*")) {
                n++;
            }
        }
        return Long.toString(n);
    }
}
