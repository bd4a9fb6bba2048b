package dev.loomgate.gateway.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomgate.gateway.redis.RedisConnections;
import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One key hammered from many virtual threads with each synchronisation mode: prints decisions/s and how many were
 * admitted against what the limit allows. Figures go to docs/RATE-LIMITS.md; only exactness is asserted. A benchmark
 * (tag slow, {@code make test-slow}); {@link HotKeyExactnessTest} checks the same modes' exactness in the default suite.
 */
@Tag("slow")
class HotKeyThroughputTest {
    private static final int THREADS = 16;
    private static final Duration RUN = Duration.ofMillis(1500);

    private record Result(long calls, long admitted, long degraded, double seconds) {
    }

    @Test
    void hotKeyWithAndWithoutBatching() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            int port = servers.startServer().port();
            RateLimiterOptions options = RateLimiterOptions.builder()
                    .failureThreshold(5).latencyBudget(Duration.ofSeconds(1)).probeInterval(Duration.ofMillis(100)).build();
            try (RedisConnections connections = RedisConnections.open(RedisSettings.standalone("127.0.0.1", port));
                 RateLimiter limiter = RateLimiter.create(connections, options, () -> 1, new RateLimitMetrics())) {
                // 2000/s with a small burst: the hot key is far over its limit, so admitted counts show exactness.
                List<Bandwidth> limit = List.of(new Bandwidth(2000, Duration.ofSeconds(1), 100));
                run(limiter, new RateLimitPolicy("warmup", limit, new KeySource.Route()), Duration.ofMillis(700));
                List<Synchronization> modes = List.of(Synchronization.NONE, Synchronization.BATCHING, Synchronization.RESERVING,
                        new Synchronization.Delaying(50, Duration.ofMillis(50)));
                for (Synchronization mode : modes) {
                    RateLimitPolicy policy = new RateLimitPolicy("hot-" + mode.getClass().getSimpleName(), limit,
                            new KeySource.Route()).withSynchronization(mode);
                    Result r = run(limiter, policy, RUN);
                    double allowedByLimit = 100 + 2000 * r.seconds();
                    System.out.printf("hot key, %d virtual threads, %-9s: %,8.0f decisions/s, admitted %d, limit allows"
                                    + " %.0f (%+.1f%%)%n", THREADS, mode.getClass().getSimpleName(),
                            r.calls() / r.seconds(), r.admitted(), allowedByLimit,
                            (r.admitted() - allowedByLimit) * 100 / allowedByLimit);
                    // the figures must come from Redis: a stray slow call on a loaded box may fall back once or twice
                    assertTrue(r.degraded() <= r.calls() / 1000, mode + ": fallback decisions " + r.degraded() + " of " + r.calls());
                    // Exact modes never over-admit; delaying may, by at most its unsynchronised tokens (one node here).
                    long slack = mode instanceof Synchronization.Delaying d ? d.maxUnsynchronizedTokens() : 0;
                    assertTrue(r.admitted() <= allowedByLimit * 1.02 + 5 + slack, mode + " over-admitted: " + r);
                    // Under heavy CAS contention (and on a loaded 2-core box) some refilled tokens go unused: the
                    // bound only catches a limiter that stopped admitting; the exact figure is printed above.
                    assertTrue(r.admitted() >= allowedByLimit * 0.6, mode + " under-admitted: " + r);
                }
            }
        }
    }

    private static Result run(RateLimiter limiter, RateLimitPolicy policy, Duration duration) throws Exception {
        LongAdder calls = new LongAdder();
        LongAdder admitted = new LongAdder();
        LongAdder degraded = new LongAdder();
        AtomicLong lastCall = new AtomicLong();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    RateLimitDecision d = limiter.tryAcquire(policy, "route", "one-hot-key");
                    calls.increment();
                    if (d.allowed()) {
                        admitted.increment();
                    }
                    if (d.degraded()) {
                        degraded.increment();
                    }
                }
                lastCall.accumulateAndGet(System.nanoTime(), Math::max);
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return new Result(calls.sum(), admitted.sum(), degraded.sum(), (lastCall.get() - start) / 1e9);
    }
}
