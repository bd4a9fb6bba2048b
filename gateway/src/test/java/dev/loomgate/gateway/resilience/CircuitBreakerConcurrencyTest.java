package dev.loomgate.gateway.resilience;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lock-free breaker hammered from many virtual threads: every transition happens exactly once. */
class CircuitBreakerConcurrencyTest {
    private static final int THREADS = 64;
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<String> transitions = new CopyOnWriteArrayList<>();

    private CircuitBreaker breaker(int window, int halfOpen) {
        return new CircuitBreaker(new CircuitBreakerSettings(window, 50, Duration.ofSeconds(10), halfOpen),
                (from, to) -> transitions.add(from + "->" + to), now::get);
    }

    /** Runs {@code task} on {@link #THREADS} virtual threads released together. */
    private static void hammer(Runnable task) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < THREADS; t++) {
                pool.submit(() -> {
                    start.await();
                    task.run();
                    return null;
                });
            }
            start.countDown();
        }
    }

    @Test
    void successesFromManyThreadsKeepItClosed() throws Exception {
        CircuitBreaker b = breaker(100, 3);
        hammer(() -> {
            for (int i = 0; i < 5_000; i++) {
                assertTrue(b.tryAcquire());
                b.record(true);
            }
        });
        assertEquals(CircuitBreaker.State.CLOSED, b.state());
        assertEquals(List.of(), transitions);
    }

    @Test
    void failuresFromManyThreadsOpenItOnce() throws Exception {
        CircuitBreaker b = breaker(20, 3);
        AtomicInteger rejected = new AtomicInteger();
        hammer(() -> {
            for (int i = 0; i < 1_000; i++) {
                if (b.tryAcquire()) {
                    b.record(false);
                } else {
                    rejected.incrementAndGet();
                }
            }
        });
        assertEquals(CircuitBreaker.State.OPEN, b.state());
        assertEquals(List.of("CLOSED->OPEN"), transitions);
        assertTrue(rejected.get() > 0);
    }

    @Test
    void halfOpenLetsExactlyTheProbesThrough() throws Exception {
        for (int round = 0; round < 20; round++) {
            transitions.clear();
            CircuitBreaker b = breaker(4, 3);
            for (int i = 0; i < 4; i++) {
                b.tryAcquire();
                b.record(false);
            }
            now.addAndGet(Duration.ofSeconds(11).toNanos());
            AtomicInteger probes = new AtomicInteger();
            hammer(() -> {
                if (b.tryAcquire()) {
                    probes.incrementAndGet();
                }
            });
            assertEquals(3, probes.get(), "round " + round);
            assertEquals(List.of("CLOSED->OPEN", "OPEN->HALF_OPEN"), transitions);
        }
    }

    @Test
    void mixedOutcomesLeaveAConsistentWindow() throws Exception {
        CircuitBreaker b = breaker(1_000, 3);
        AtomicInteger n = new AtomicInteger();
        hammer(() -> {
            for (int i = 0; i < 2_000; i++) {
                if (b.tryAcquire()) {
                    b.record(n.incrementAndGet() % 4 != 0); // 25% failures: below the 50% ratio
                }
            }
        });
        assertEquals(CircuitBreaker.State.CLOSED, b.state(), "a lost update would skew the failure count");
        assertEquals(List.of(), transitions);
    }
}
