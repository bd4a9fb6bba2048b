package dev.loomgate.gateway.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The session store on a real redis-server: concurrent loads share round trips and each gets its own session. */
class RedisSessionStoreTest {
    private static final RedisSessionStore.Timeouts T = new RedisSessionStore.Timeouts(Duration.ofHours(1),
            Duration.ofHours(1), Duration.ofHours(2));

    @Test
    void concurrentLoadsOfManySessionsEachGetTheirOwn() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            RedisTestServers.Server redis = servers.startServer();
            try (RedisSessionStore store = RedisSessionStore.open(RedisSettings.builder(
                    RedisSettings.standalone("127.0.0.1", redis.port()).topology()).readTimeout(Duration.ofSeconds(2)).build());
                 ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    String id = "session-" + i + "-" + System.nanoTime();
                    assertTrue(store.create(id, Map.of("owner", id), T) > 0);
                    ids.add(id);
                }
                AtomicLong wrong = new AtomicLong();
                List<Future<?>> callers = new ArrayList<>();
                for (String id : ids) {
                    callers.add(pool.submit(() -> {
                        for (int n = 0; n < 200; n++) {
                            RedisSessionStore.Loaded l = store.load(id, T);
                            if (!(l instanceof RedisSessionStore.Loaded.Found f) || !id.equals(f.fields().get("owner"))) {
                                wrong.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : callers) {
                    f.get(60, TimeUnit.SECONDS); // bounded: a lost hand-off would hang here
                }
                assertEquals(0, wrong.get(), "every load answered with its own session");
                assertInstanceOf(RedisSessionStore.Loaded.Missing.class, store.load("never-created", T));
            }
        }
    }

    @Test
    void callersWaitingInABatchGetAnErrorWhenRedisDiesNotAHang() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            RedisTestServers.Server redis = servers.startServer();
            try (RedisSessionStore store = RedisSessionStore.open(RedisSettings.standalone("127.0.0.1", redis.port()));
                 ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                String id = "s-" + System.nanoTime();
                store.create(id, Map.of(), T);
                servers.kill(redis);
                List<Future<String>> callers = new ArrayList<>();
                for (int i = 0; i < 32; i++) {
                    callers.add(pool.submit(() -> {
                        try {
                            store.load(id, T);
                            return "answered";
                        } catch (RedisSessionStore.Unavailable e) {
                            return "unavailable";
                        }
                    }));
                }
                for (Future<String> f : callers) {
                    assertEquals("unavailable", f.get(60, TimeUnit.SECONDS));
                }
            }
        }
    }
}
