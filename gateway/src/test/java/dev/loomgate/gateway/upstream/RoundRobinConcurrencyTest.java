package dev.loomgate.gateway.upstream;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicIntegerArray;

import dev.loomgate.gateway.testing.FixedRequest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lock-free round robin under many virtual threads, and its allocation-free pick. */
class RoundRobinConcurrencyTest {
    private static final FixedRequest REQUEST = FixedRequest.fromIp("192.0.2.1");

    @Test
    void picksFromManyVirtualThreadsAreExactlyProportional() throws Exception {
        List<UpstreamHost> h = RoundRobinBalancerTest.hosts(3, 2, 1);
        LoadBalancer lb = LoadBalancers.create(LoadBalancerKind.ROUND_ROBIN, h);
        int threads = 256;
        int perThread = 6_000;
        AtomicIntegerArray counts = new AtomicIntegerArray(3);
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        counts.incrementAndGet(h.indexOf(lb.choose(REQUEST, Set.of()).orElseThrow()));
                    }
                    return null;
                });
            }
            start.countDown();
        }
        int all = threads * perThread; // a whole number of periods (6): each ticket is one pick
        assertEquals(all / 2, counts.get(0));
        assertEquals(all / 3, counts.get(1));
        assertEquals(all / 6, counts.get(2));
    }

    @Test
    void retriesExcludingAHostDoNotDisturbTheOthersShares() throws Exception {
        List<UpstreamHost> h = RoundRobinBalancerTest.hosts(1, 1, 1, 1);
        LoadBalancer lb = LoadBalancers.create(LoadBalancerKind.ROUND_ROBIN, h);
        AtomicIntegerArray counts = new AtomicIntegerArray(4);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 64; t++) {
                int excluded = t % 4;
                pool.submit(() -> {
                    for (int i = 0; i < 3_000; i++) {
                        UpstreamHost picked = lb.choose(REQUEST, Set.of(h.get(excluded))).orElseThrow();
                        assertTrue(picked != h.get(excluded), "an excluded host is never picked");
                        counts.incrementAndGet(h.indexOf(picked));
                    }
                });
            }
        }
        int all = 64 * 3_000;
        for (int i = 0; i < 4; i++) {
            double share = counts.get(i) / (double) all;
            assertTrue(Math.abs(share - 0.25) < 0.02, "host " + i + " share " + share);
        }
    }

    @Test
    void aPickAllocatesNothing() {
        List<UpstreamHost> h = RoundRobinBalancerTest.hosts(5, 1, 1);
        LoadBalancer lb = LoadBalancers.create(LoadBalancerKind.ROUND_ROBIN, h);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 200_000; i++) {
            lb.choose(REQUEST, Set.of()); // warm up: the schedule is built, the code compiled
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        int seen = 0;
        for (int i = 0; i < 100_000; i++) {
            seen += lb.choose(REQUEST, Set.of()).isPresent() ? 1 : 0;
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertEquals(100_000, seen);
        // the old pick allocated a boolean[] and an Optional each time: megabytes for 100k picks
        assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes for 100k picks");
    }
}
