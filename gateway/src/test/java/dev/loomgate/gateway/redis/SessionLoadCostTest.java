package dev.loomgate.gateway.redis;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * What one session load costs, in isolation: one thread loads one live session in a loop against a real
 * redis-server and prints the node thread's CPU, the wall time and redis-server's CPU per load (docs/SESSIONS.md,
 * "Cost"). The figures are printed, not asserted (a shared box is noisy); what is asserted is that every load finds
 * the session.
 */
class SessionLoadCostTest {
    private static final int WARMUP = 5_000;
    private static final int LOADS = 20_000;
    private static final RedisSessionStore.Timeouts T = new RedisSessionStore.Timeouts(Duration.ofMinutes(30),
            Duration.ofHours(1), Duration.ofHours(8));

    @Test
    void costOfOneLoad() throws Exception {
        measure("load-and-touch script on every load (before)", RedisSessionStore::openScriptOnly, false);
        measure("plain HGETALL, touch once per touch interval (after)", RedisSessionStore::open, false);
        measure("client-side cache (Redis-tracked), touch once per touch interval", RedisSessionStore::open, true);
    }

    private static void measure(String what, java.util.function.Function<RedisSettings, RedisSessionStore> open,
                                boolean clientCache) throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            RedisTestServers.Server redis = servers.startServer();
            try (RedisSessionStore store = open.apply(RedisSettings.builder(
                    RedisSettings.standalone("127.0.0.1", redis.port()).topology()).readTimeout(Duration.ofSeconds(2)).build())) {
                String id = "cost-" + System.nanoTime();
                store.create(id, Map.of("user", "alice", "cart", "3 items", "theme", "dark"), T);
                for (int i = 0; i < WARMUP; i++) {
                    assertInstanceOf(RedisSessionStore.Loaded.Found.class, store.load(id, T, clientCache));
                }
                ThreadMXBean mx = ManagementFactory.getThreadMXBean();
                long redisCpu0 = cpuTicks(redis.pid());
                long cpu0 = mx.getCurrentThreadCpuTime();
                long wall0 = System.nanoTime();
                for (int i = 0; i < LOADS; i++) {
                    assertInstanceOf(RedisSessionStore.Loaded.Found.class, store.load(id, T, clientCache));
                }
                long wall = System.nanoTime() - wall0;
                long cpu = mx.getCurrentThreadCpuTime() - cpu0;
                long redisTicks = cpuTicks(redis.pid()) - redisCpu0;
                System.out.printf("session load cost, %s, over %d loads: node thread CPU %.1f us, wall %.1f us, "
                                + "redis-server CPU %.1f us per load%n", what, LOADS, cpu / 1e3 / LOADS, wall / 1e3 / LOADS,
                        redisTicks * 10_000.0 / LOADS); // 100 ticks per second
            }
        }
    }

    /** utime + stime of a process, in clock ticks (1/100 s). */
    private static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
