package dev.loomgate.gateway.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomgate.gateway.redis.RedisConnections;
import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * One key hit at once from many virtual threads with each synchronisation mode, against a budget that does not refill
 * during the test: exact modes admit exactly the budget, delaying at most its unsynchronised tokens more. The timed
 * figures of the same modes are {@link HotKeyThroughputTest} (tag slow).
 */
class HotKeyExactnessTest {
    private static final int THREADS = 16;
    private static final int CALLS_PER_THREAD = 20;
    private static final int BUDGET = 100;

    @Test
    void everyModeAdmitsTheBudgetOfAHotKey() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            int port = servers.startServer().port();
            // a latency budget no loaded box misses: every decision comes from Redis
            RateLimiterOptions options = RateLimiterOptions.builder()
                    .failureThreshold(5).latencyBudget(Duration.ofSeconds(2)).probeInterval(Duration.ofMillis(100)).build();
            try (RedisConnections connections = RedisConnections.open(RedisSettings.standalone("127.0.0.1", port));
                 RateLimiter limiter = RateLimiter.create(connections, options, () -> 1, new RateLimitMetrics())) {
                List<Bandwidth> limit = List.of(new Bandwidth(BUDGET, Duration.ofHours(1)));
                List<Synchronization> modes = List.of(Synchronization.NONE, Synchronization.BATCHING, Synchronization.RESERVING,
                        new Synchronization.Delaying(50, Duration.ofMillis(50)));
                for (Synchronization mode : modes) {
                    RateLimitPolicy policy = new RateLimitPolicy("exact-" + mode.getClass().getSimpleName(), limit,
                            new KeySource.Route()).withSynchronization(mode);
                    LongAdder admitted = new LongAdder();
                    LongAdder degraded = new LongAdder();
                    List<Thread> threads = new ArrayList<>();
                    for (int t = 0; t < THREADS; t++) {
                        threads.add(Thread.ofVirtual().start(() -> {
                            for (int i = 0; i < CALLS_PER_THREAD; i++) {
                                RateLimitDecision d = limiter.tryAcquire(policy, "route", "one-hot-key");
                                admitted.add(d.allowed() ? 1 : 0);
                                degraded.add(d.degraded() ? 1 : 0);
                            }
                        }));
                    }
                    for (Thread t : threads) {
                        t.join();
                    }
                    assertEquals(0, degraded.sum(), mode + ": decisions from the fallback");
                    if (mode instanceof Synchronization.Delaying d) {
                        assertTrue(admitted.sum() >= BUDGET && admitted.sum() <= BUDGET + d.maxUnsynchronizedTokens(),
                                mode + " admitted " + admitted.sum() + " of a budget of " + BUDGET);
                    } else {
                        assertEquals(BUDGET, admitted.sum(), mode + " admitted exactly the budget");
                    }
                }
            }
        }
    }
}
