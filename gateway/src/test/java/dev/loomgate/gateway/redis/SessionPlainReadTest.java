package dev.loomgate.gateway.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.loomgate.gateway.redis.RedisSessionStore.Loaded;

/**
 * Loads that are plain reads (no script, no write) on a real redis-server: a busy session is not written on every
 * request, yet every change by another node is seen by the next load, and the idle timeout holds within its bound.
 */
class SessionPlainReadTest {
    private static final RedisSessionStore.Timeouts HOUR = new RedisSessionStore.Timeouts(Duration.ofHours(1),
            Duration.ofHours(1), Duration.ofHours(2));

    private static RedisSessionStore store(RedisTestServers.Server redis) {
        return RedisSessionStore.open(RedisSettings.builder(RedisSettings.standalone("127.0.0.1", redis.port())
                .topology()).readTimeout(Duration.ofSeconds(2)).build());
    }

    @Test
    void aBusySessionIsReadNotWrittenOnEveryLoad() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            RedisTestServers.Server redis = servers.startServer();
            try (RedisSessionStore store = store(redis)) {
                String id = "busy-" + System.nanoTime();
                store.create(id, Map.of("user", "alice"), HOUR);
                assertInstanceOf(Loaded.Found.class, store.load(id, HOUR)); // first load: the script (clock sample)
                String lastAccess = hget(redis, id, "_a");
                long scripts = calls(redis, "evalsha");
                long reads = calls(redis, "hgetall");
                for (int i = 0; i < 200; i++) {
                    Loaded.Found f = assertInstanceOf(Loaded.Found.class, store.load(id, HOUR));
                    assertEquals(Map.of("user", "alice"), f.fields());
                }
                assertEquals(0, calls(redis, "evalsha") - scripts, "no script while the touch is recent");
                assertEquals(200, calls(redis, "hgetall") - reads, "one plain read per load");
                assertEquals(lastAccess, hget(redis, id, "_a"), "last access not rewritten");
            }
        }
    }

    @Test
    void writesRotationAndLogoutOnOneNodeAreSeenByTheOthersNextLoad() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            RedisTestServers.Server redis = servers.startServer();
            try (RedisSessionStore a = store(redis); RedisSessionStore b = store(redis)) {
                String id = "shared-" + System.nanoTime();
                a.create(id, Map.of("cart", "1"), HOUR);
                a.load(id, HOUR);
                b.load(id, HOUR); // both nodes now read plainly
                for (int round = 2; round <= 50; round++) {
                    assertEquals(RedisSessionStore.WriteResult.OK,
                            a.write(id, Map.of("cart", Integer.toString(round)), List.of(), 64, HOUR));
                    Loaded.Found seen = assertInstanceOf(Loaded.Found.class, b.load(id, HOUR));
                    assertEquals(Integer.toString(round), seen.fields().get("cart"), "round " + round);
                }
                String rotated = "rotated-" + System.nanoTime();
                assertTrue(a.rotate(id, rotated, Map.of("_user", "alice"), List.of(), Duration.ZERO, HOUR));
                assertInstanceOf(Loaded.Missing.class, b.load(id, HOUR), "old id dead at once on the other node");
                Loaded.Found moved = assertInstanceOf(Loaded.Found.class, b.load(rotated, HOUR));
                assertEquals("50", moved.fields().get("cart"));
                assertEquals("alice", moved.fields().get("_user"));
                assertTrue(a.delete(rotated));
                assertInstanceOf(Loaded.Missing.class, b.load(rotated, HOUR), "logout seen by the other node");
            }
        }
    }

    @Test
    void idleTimeoutHoldsWithinTheTouchInterval() throws Exception {
        RedisSessionStore.Timeouts idle = new RedisSessionStore.Timeouts(Duration.ofMillis(1500), Duration.ofHours(1),
                Duration.ofHours(2));
        long interval = RedisSessionStore.touchInterval(idle).toMillis();
        assertEquals(150, interval);
        try (RedisTestServers servers = RedisTestServers.create()) {
            RedisTestServers.Server redis = servers.startServer();
            try (RedisSessionStore store = store(redis)) {
                String id = "idle-" + System.nanoTime();
                store.create(id, Map.of(), idle);
                long end = System.nanoTime() + 2_000_000_000L; // busy for longer than the idle timeout
                long redisBeforeLast = 0;
                long lastReturned = 0;
                while (System.nanoTime() < end) {
                    redisBeforeLast = redisTime(redis);
                    assertInstanceOf(Loaded.Found.class, store.load(id, idle), "kept alive by use");
                    lastReturned = System.nanoTime();
                }
                // lower bound: the stored last access lags the last load by less than the touch interval, and the
                // TTL runs from it, so the session lives at least idle - interval after its last request
                long lastAccess = Long.parseLong(hget(redis, id, "_a"));
                assertTrue(lastAccess > redisBeforeLast - interval, lastAccess + " vs " + redisBeforeLast);
                long pttl = Long.parseLong(RedisTestServers.command(redis.port(), "PTTL",
                        RedisSessionStore.key(id)).getFirst());
                assertTrue(pttl <= 1500, "TTL never exceeds the idle timeout: " + pttl);
                // upper bound: idle after the last load, it is gone (no sleep: wait until that moment has passed)
                long deadline = lastReturned + 1_500_000_000L;
                dev.loomgate.testsupport.Await.until("the idle timeout to pass", Duration.ofSeconds(10),
                        () -> System.nanoTime() > deadline);
                assertInstanceOf(Loaded.Missing.class, store.load(id, idle), "ended within idle of its last use");
            }
        }
    }

    private static String hget(RedisTestServers.Server redis, String id, String field) throws Exception {
        return RedisTestServers.command(redis.port(), "HGET", RedisSessionStore.key(id), field).getFirst();
    }

    private static long redisTime(RedisTestServers.Server redis) throws Exception {
        List<String> t = RedisTestServers.command(redis.port(), "TIME");
        return Long.parseLong(t.get(0)) * 1000 + Long.parseLong(t.get(1)) / 1000;
    }

    /** Calls of one command so far, from INFO commandstats. */
    private static long calls(RedisTestServers.Server redis, String command) {
        for (String line : RedisTestServers.info(redis.port(), "commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_" + command + ":calls=")) {
                return Long.parseLong(line.substring(line.indexOf('=') + 1, line.indexOf(',')));
            }
        }
        return 0;
    }
}
