package dev.loomgate.gateway.resilience;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The cost of the closed-breaker path (acquire a permit, record a success) for our breaker and
 * Resilience4j's, alone and under contention from many virtual threads. Prints ns per call; the
 * numbers and the decision are in docs/ARCHITECTURE.md ("Resilience"). Run with
 * {@code make test-slow} or {@code -Dtest=BreakerCostTest -Dgroups=slow -DexcludedGroups=none}.
 */
@Tag("slow")
class BreakerCostTest {
    private static final int CALLS = 400_000;

    /** One closed-path call: ask for a permit, then record a success. */
    private interface Call {
        void run();
    }

    private static Call ours() {
        CircuitBreaker b = new CircuitBreaker(new CircuitBreakerSettings(100, 50, Duration.ofSeconds(10), 3), (f, t) -> { });
        return () -> {
            if (b.tryAcquire()) {
                b.record(true);
            }
        };
    }

    private static Call resilience4j(CircuitBreakerConfig.SlidingWindowSynchronizationStrategy strategy) {
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindow(100, 100, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED, strategy)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(10))
                .permittedNumberOfCallsInHalfOpenState(3)
                .build();
        io.github.resilience4j.circuitbreaker.CircuitBreaker b = io.github.resilience4j.circuitbreaker.CircuitBreaker.of("u", config);
        return () -> {
            if (b.tryAcquirePermission()) {
                b.onSuccess(0, TimeUnit.NANOSECONDS);
            }
        };
    }

    /** Nanoseconds per call with {@code threads} virtual threads sharing one breaker (best of 5 runs). */
    private static double nanosPerCall(Supplier<Call> breaker, int threads) throws InterruptedException {
        double best = Double.MAX_VALUE;
        for (int run = 0; run < 5; run++) {
            Call call = breaker.get();
            int perThread = CALLS / threads;
            CountDownLatch start = new CountDownLatch(1);
            long began;
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < threads; t++) {
                    pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < perThread; i++) {
                            call.run();
                        }
                        return null;
                    });
                }
                began = System.nanoTime();
                start.countDown();
            }
            best = Math.min(best, (System.nanoTime() - began) / (double) (perThread * threads));
        }
        return best;
    }

    @Test
    void closedPathCost() throws Exception {
        Map<String, Supplier<Call>> breakers = new java.util.LinkedHashMap<>();
        breakers.put("loomgate CircuitBreaker (lock-free)", BreakerCostTest::ours);
        breakers.put("resilience4j 2.4.0 default (SYNCHRONIZED)",
                () -> resilience4j(CircuitBreakerConfig.SlidingWindowSynchronizationStrategy.SYNCHRONIZED));
        breakers.put("resilience4j 2.4.0 LOCK_FREE",
                () -> resilience4j(CircuitBreakerConfig.SlidingWindowSynchronizationStrategy.LOCK_FREE));
        System.out.printf("closed breaker, acquire + record success, ns/call (%d carriers)%n",
                Runtime.getRuntime().availableProcessors());
        for (Map.Entry<String, Supplier<Call>> e : breakers.entrySet()) {
            System.out.printf("  %-42s 1 thread %6.1f   64 virtual threads %6.1f%n", e.getKey(),
                    nanosPerCall(e.getValue(), 1), nanosPerCall(e.getValue(), 64));
        }
        CircuitBreaker b = new CircuitBreaker(CircuitBreakerSettings.DEFAULTS, (f, t) -> { });
        nanosPerCall(() -> () -> {
            b.tryAcquire();
            b.record(true);
        }, 64);
        assertEquals(CircuitBreaker.State.CLOSED, b.state(), "only successes: it never left closed");
    }
}
