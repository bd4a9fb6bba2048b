package dev.loomgate.gateway.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomgate.gateway.redis.RedisConnections;
import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * {@code sync: reserving} refills a key single-flight on a real redis-server: many request threads that find the
 * reservation empty at once wait for one Redis call instead of each making their own, and refills ahead keep steady
 * traffic off the fallback.
 */
class SingleFlightRefillTest {
    private static final int THREADS = 64;
    private static final int CALLS_PER_THREAD = 300;

    @Test
    void sixtyFourThreadsOnAnEmptyReservationMakeOneRedisCallAtATime() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            int port = servers.startServer().port();
            // a latency budget the load fits even on a loaded box: no decision may come from the fallback
            RateLimiterOptions options = RateLimiterOptions.builder()
                    .failureThreshold(5).latencyBudget(Duration.ofSeconds(2)).probeInterval(Duration.ofMillis(100)).build();
            RateLimitMetrics metrics = new RateLimitMetrics();
            try (RedisConnections connections = RedisConnections.open(RedisSettings.standalone("127.0.0.1", port));
                 RateLimiter limiter = RateLimiter.create(connections, options, () -> 1, metrics)) {
                // never hit during the test: every decision is an admission
                RateLimitPolicy policy = new RateLimitPolicy("never-hit", List.of(new Bandwidth(10_000_000, Duration.ofHours(1))),
                        new KeySource.Route());
                assertEquals(Synchronization.RESERVING, policy.synchronization(), "the default mode");
                LongAdder admitted = new LongAdder();
                LongAdder degraded = new LongAdder();
                CountDownLatch go = new CountDownLatch(1);
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    threads.add(Thread.ofVirtual().start(() -> {
                        try {
                            go.await(30, TimeUnit.SECONDS); // all start on the empty reservation together
                        } catch (InterruptedException e) {
                            return;
                        }
                        for (int i = 0; i < CALLS_PER_THREAD; i++) {
                            RateLimitDecision d = limiter.tryAcquire(policy, "route", "one-hot-key");
                            admitted.add(d.allowed() ? 1 : 0);
                            degraded.add(d.degraded() ? 1 : 0);
                        }
                    }));
                }
                go.countDown();
                for (Thread t : threads) {
                    t.join(Duration.ofSeconds(60));
                    assertFalse(t.isAlive(), "a request thread did not finish in 60 s");
                }
                long decisions = (long) THREADS * CALLS_PER_THREAD;
                String figures = metrics.latencyCount() + " Redis calls, " + metrics.refillWaits() + " waits, "
                        + metrics.refillsAhead() + " refills ahead, " + metrics.refillWaitTimeouts() + " wait timeouts";
                assertEquals(1, metrics.redisCallsInFlightPeak(), "Redis calls in flight at once for one key: " + figures);
                assertEquals(0, degraded.sum(), "decisions from the fallback: " + figures);
                assertEquals(0, metrics.refillWaitTimeouts(), figures);
                assertEquals(decisions, admitted.sum(), "a never-hit limit admits all: " + figures);
                assertTrue(metrics.refillWaits() > 0, "the threads found the reservation empty together: " + figures);
                // one call per chunk (up to 256 tokens) rather than one per thread that found the reservation empty
                assertTrue(metrics.latencyCount() < decisions / 20, figures + " for " + decisions + " decisions");
                assertTrue(metrics.refillsAhead() > 0, "steady traffic refills ahead: " + figures);
            }
        }
    }

    @Test
    void aRefillAheadStartsWhenAChunkOfTwoOrMoreIsHalfSpentAndYoung() {
        long hold = Duration.ofMillis(100).toNanos();
        Reservations reservations = new Reservations(hold, 10);
        Reservations.Reservation r = reservations.of("k");
        reservations.granted(r, 100, 1_000, 0, 0);
        assertFalse(reservations.refillAhead(r, 51, 1_000), "more than half left");
        assertTrue(reservations.refillAhead(r, 50, 1_000), "half spent");
        assertFalse(reservations.refillAhead(r, 50, hold / 2), "too old: its leftovers would be held too long");
        reservations.granted(r, 1, 3, 0, 0);
        assertFalse(reservations.refillAhead(r, 0, 1_000), "near the limit (one-token chunks) nothing is taken ahead");
    }

    @Test
    void aRefillTakesAtLeastOneTokenPerWaitingRequest() {
        Reservations reservations = new Reservations(Duration.ofMillis(100).toNanos(), 10);
        Reservations.Reservation r = reservations.of("k");
        assertEquals(1, Reservations.refillChunk(r, 1, true), "nothing known, nobody waiting: one token");
        for (int i = 0; i < 9; i++) {
            r.startWaiting();
        }
        assertEquals(10, Reservations.refillChunk(r, 1, true), "nine waiting plus the caller");
        assertEquals(9, Reservations.refillChunk(r, 1, false), "a refill ahead has no caller of its own");
        Reservations.observed(r, 1_000_000, 0);
        assertEquals(Reservations.MAX_CHUNK, Reservations.refillChunk(r, 1, true));
    }
}
