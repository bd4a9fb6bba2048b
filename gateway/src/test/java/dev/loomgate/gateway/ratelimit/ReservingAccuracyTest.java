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
 * {@code sync: reserving} (the default) across two nodes (two limiters with their own pools) on one real
 * redis-server: tokens are reserved in chunks, yet together the nodes admit exactly the budget, and most decisions
 * need no Redis call.
 */
class ReservingAccuracyTest {
    private static final int BUDGET = 2_000;
    private static final int THREADS_PER_NODE = 8;
    /** A thread stops after this many denials in a row: by then every reservation on its node is spent. */
    private static final int DENIALS_TO_STOP = 30;

    @Test
    void twoNodesAdmitExactlyTheBudgetWithFewRedisCalls() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            int port = servers.startServer().port();
            // a latency budget no loaded box misses: every decision comes from Redis or a reservation, none from the fallback
            RateLimiterOptions options = RateLimiterOptions.builder()
                    .failureThreshold(5).latencyBudget(Duration.ofSeconds(2)).probeInterval(Duration.ofMillis(100)).build();
            RateLimitMetrics metricsA = new RateLimitMetrics();
            RateLimitMetrics metricsB = new RateLimitMetrics();
            try (RedisConnections a = RedisConnections.open(RedisSettings.standalone("127.0.0.1", port));
                 RedisConnections b = RedisConnections.open(RedisSettings.standalone("127.0.0.1", port));
                 RateLimiter nodeA = RateLimiter.create(a, options, () -> 2, metricsA);
                 RateLimiter nodeB = RateLimiter.create(b, options, () -> 2, metricsB)) {
                // a budget that does not refill during the test (2,000 per hour): any over-admission shows
                RateLimitPolicy policy = new RateLimitPolicy("reserving", List.of(new Bandwidth(BUDGET, Duration.ofHours(1))),
                        new KeySource.Route());
                assertEquals(Synchronization.RESERVING, policy.synchronization(), "the default mode");
                LongAdder admitted = new LongAdder();
                LongAdder degraded = new LongAdder();
                LongAdder decisions = new LongAdder();
                List<Thread> threads = new ArrayList<>();
                for (RateLimiter node : List.of(nodeA, nodeB)) {
                    for (int t = 0; t < THREADS_PER_NODE; t++) {
                        threads.add(Thread.ofVirtual().start(() -> {
                            int denials = 0;
                            // bounded: the budget plus the denials that end each thread, with room to spare
                            for (int i = 0; i < BUDGET + 10 * DENIALS_TO_STOP && denials < DENIALS_TO_STOP; i++) {
                                RateLimitDecision d = node.tryAcquire(policy, "route", "one-hot-key");
                                decisions.increment();
                                degraded.add(d.degraded() ? 1 : 0);
                                if (d.allowed()) {
                                    admitted.increment();
                                    denials = 0;
                                } else {
                                    denials++;
                                }
                            }
                        }));
                    }
                }
                for (Thread t : threads) {
                    t.join(Duration.ofSeconds(60));
                    assertTrue(!t.isAlive(), "a request thread did not finish in 60 s");
                }
                assertEquals(0, degraded.sum(), "decisions from the fallback");
                assertEquals(BUDGET, admitted.sum(), "the two nodes admit exactly the budget");
                long redisCalls = metricsA.latencyCount() + metricsB.latencyCount();
                // the admitted requests alone would be 2,000 calls with batching; reservations leave out most
                assertTrue(redisCalls < BUDGET / 2, redisCalls + " Redis calls for " + decisions.sum() + " decisions");
                assertTrue(metricsA.allowed("reserving") > 0 && metricsB.allowed("reserving") > 0,
                        "both nodes admitted some: " + metricsA.allowed("reserving") + " / " + metricsB.allowed("reserving"));
            }
        }
    }

    @Test
    void chunksAreAQuarterOfTheNodesShareOfWhatIsLeft() {
        Reservations reservations = new Reservations(Duration.ofMillis(100).toNanos(), 10);
        Reservations.Reservation r = reservations.of("k");
        assertEquals(1, Reservations.chunk(r, 2), "nothing known yet: one token");
        Reservations.observed(r, 800, 0);
        assertEquals(100, Reservations.chunk(r, 2));
        Reservations.observed(r, 7, 0);
        assertEquals(1, Reservations.chunk(r, 2), "near the limit: one token");
        Reservations.observed(r, 1_000_000, 0);
        assertEquals(Reservations.MAX_CHUNK, Reservations.chunk(r, 3));
    }

    @Test
    void reservedTokensAreSpentUntilTheyExpireThenGivenBack() {
        Reservations reservations = new Reservations(100, 10);
        Reservations.Reservation r = reservations.of("k");
        assertEquals(-1, Reservations.take(r, 0), "none reserved");
        reservations.granted(r, 2, 50, 0, 1_000);
        assertEquals(1, Reservations.take(r, 1_050));
        assertEquals(0, Reservations.expired(r, 1_100), "not expired yet");
        assertEquals(-1, Reservations.take(r, 1_101), "expired: not spent");
        assertEquals(1, Reservations.expired(r, 1_101), "the unspent token goes back");
        assertEquals(0, Reservations.expired(r, 1_102), "only once");
        reservations.granted(r, 1, 50, 0, 2_000);
        assertEquals(0, Reservations.take(r, 2_000));
        assertEquals(-1, Reservations.take(r, 2_001), "all spent");
    }
}
