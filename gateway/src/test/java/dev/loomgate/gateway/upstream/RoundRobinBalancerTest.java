package dev.loomgate.gateway.upstream;

import dev.loomgate.gateway.testing.FixedRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoundRobinBalancerTest {
    private static final FixedRequest REQUEST = FixedRequest.fromIp("192.0.2.1");

    static List<UpstreamHost> hosts(int... weights) {
        List<UpstreamHost> hosts = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            hosts.add(new UpstreamHost(new Endpoint(String.valueOf((char) ('a' + i)), 8080, weights[i])));
        }
        return hosts;
    }

    private static LoadBalancer rr(List<UpstreamHost> hosts) {
        return LoadBalancers.create(LoadBalancerKind.ROUND_ROBIN, hosts);
    }

    private static String picks(LoadBalancer lb, int n, Set<UpstreamHost> exclude) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(lb.choose(REQUEST, exclude).orElseThrow().endpoint().host());
        }
        return sb.toString();
    }

    private static Map<UpstreamHost, Integer> count(LoadBalancer lb, int n, Set<UpstreamHost> exclude) {
        Map<UpstreamHost, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(lb.choose(REQUEST, exclude).orElseThrow(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void smoothSequenceForWeights511() {
        LoadBalancer lb = rr(hosts(5, 1, 1));
        assertEquals("aabacaa" + "aabacaa" + "aabacaa", picks(lb, 21, Set.of()));
    }

    @Test
    void distributionIsExactlyProportional() {
        List<UpstreamHost> h = hosts(5, 1, 1);
        Map<UpstreamHost, Integer> counts = count(rr(h), 7000, Set.of());
        assertEquals(5000, counts.get(h.get(0)));
        assertEquals(1000, counts.get(h.get(1)));
        assertEquals(1000, counts.get(h.get(2)));
    }

    @Test
    void concurrentPicksFromVirtualThreadsStayProportional() throws Exception {
        List<UpstreamHost> h = hosts(5, 1, 1);
        LoadBalancer lb = rr(h);
        int threads = 4;
        int perThread = 70_000;
        List<Future<int[]>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    int[] c = new int[3];
                    for (int i = 0; i < perThread; i++) {
                        c[h.indexOf(lb.choose(REQUEST, Set.of()).orElseThrow())]++;
                        if (i % 1000 == 0) {
                            Thread.yield(); // interleave the virtual threads
                        }
                    }
                    return c;
                }));
            }
        }
        int[] total = new int[3];
        for (Future<int[]> f : results) {
            int[] c = f.get();
            for (int i = 0; i < 3; i++) {
                total[i] += c[i];
            }
        }
        int all = threads * perThread;
        double[] expected = {5.0 / 7, 1.0 / 7, 1.0 / 7};
        System.out.printf("RR concurrent: %d picks from %d virtual threads -> a=%d b=%d c=%d%n",
                all, threads, total[0], total[1], total[2]);
        for (int i = 0; i < 3; i++) {
            double share = total[i] / (double) all;
            assertTrue(Math.abs(share - expected[i]) <= 0.01 * expected[i],
                    "host " + i + " share " + share + " expected " + expected[i]);
        }
        assertEquals(all, total[0] + total[1] + total[2]);
    }

    @Test
    void skipsUnavailableHostsAndKeepsWeightsAmongTheRest() {
        List<UpstreamHost> h = hosts(3, 5, 2);
        h.get(1).markUnavailable();
        LoadBalancer lb = rr(h);
        Map<UpstreamHost, Integer> counts = count(lb, 500, Set.of());
        assertEquals(300, counts.get(h.get(0)));
        assertEquals(200, counts.get(h.get(2)));
        assertFalse(counts.containsKey(h.get(1)));

        h.get(1).markAvailable();
        assertTrue(count(lb, 100, Set.of()).containsKey(h.get(1)));
    }

    @Test
    void skipsExcludedHosts() {
        List<UpstreamHost> h = hosts(5, 1, 1);
        LoadBalancer lb = rr(h);
        assertEquals("bcbcbc", picks(lb, 6, Set.of(h.get(0))));
        Map<UpstreamHost, Integer> counts = count(lb, 600, Set.of(h.get(1)));
        assertEquals(500, counts.get(h.get(0)));
        assertEquals(100, counts.get(h.get(2)));
    }

    @Test
    void emptyWhenNothingUsable() {
        List<UpstreamHost> h = hosts(2, 1);
        LoadBalancer lb = rr(h);
        assertTrue(lb.choose(REQUEST, Set.copyOf(h)).isEmpty());
        h.forEach(UpstreamHost::markUnavailable);
        assertTrue(lb.choose(REQUEST, Set.of()).isEmpty());
        assertTrue(rr(List.of()).choose(REQUEST, Set.of()).isEmpty());
    }
}
