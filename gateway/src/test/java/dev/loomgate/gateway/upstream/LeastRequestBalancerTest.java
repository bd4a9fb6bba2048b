package dev.loomgate.gateway.upstream;

import dev.loomgate.gateway.testing.FixedRequest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeastRequestBalancerTest {
    private static final FixedRequest REQUEST = FixedRequest.fromIp("192.0.2.1");

    private static LoadBalancer lr(List<UpstreamHost> hosts) {
        return LoadBalancers.create(LoadBalancerKind.LEAST_REQUEST, hosts);
    }

    private static void start(UpstreamHost h, int n) {
        for (int i = 0; i < n; i++) {
            h.requestStarted();
        }
    }

    private static Map<UpstreamHost, Integer> count(LoadBalancer lb, int n, Set<UpstreamHost> exclude) {
        Map<UpstreamHost, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(lb.choose(REQUEST, exclude).orElseThrow(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void prefersTheIdleHost() {
        List<UpstreamHost> h = RoundRobinBalancerTest.hosts(1, 1);
        start(h.get(0), 10);
        Map<UpstreamHost, Integer> counts = count(lr(h), 1000, Set.of());
        assertEquals(1000, counts.get(h.get(1)));
    }

    @Test
    void busyHostLosesEveryComparisonAmongThree() {
        List<UpstreamHost> h = RoundRobinBalancerTest.hosts(1, 1, 1);
        start(h.get(0), 10);
        Map<UpstreamHost, Integer> counts = count(lr(h), 3000, Set.of());
        assertFalse(counts.containsKey(h.get(0)));
        // the two idle hosts tie and share the picks at random
        assertTrue(counts.get(h.get(1)) > 1000 && counts.get(h.get(2)) > 1000, counts.toString());
    }

    @Test
    void loadIsRelativeToWeight() {
        List<UpstreamHost> h = RoundRobinBalancerTest.hosts(3, 1);
        LoadBalancer lb = lr(h);
        // idle: (0+1)/3 < (0+1)/1
        assertEquals(200, count(lb, 200, Set.of()).get(h.get(0)));
        // a: (1+1)/3 < b: (0+1)/1
        start(h.get(0), 1);
        assertEquals(200, count(lb, 200, Set.of()).get(h.get(0)));
        // a: (3+1)/3 > b: (0+1)/1
        start(h.get(0), 2);
        assertEquals(200, count(lb, 200, Set.of()).get(h.get(1)));
    }

    @Test
    void steadyStateShareFollowsWeights() {
        // Closed loop: 40 requests outstanding, the oldest finishes before each new pick.
        List<UpstreamHost> h = RoundRobinBalancerTest.hosts(3, 1);
        LoadBalancer lb = lr(h);
        Deque<UpstreamHost> outstanding = new ArrayDeque<>();
        int[] picks = new int[2];
        for (int i = 0; i < 4000; i++) {
            if (outstanding.size() == 40) {
                outstanding.removeFirst().requestFinished();
            }
            UpstreamHost chosen = lb.choose(REQUEST, Set.of()).orElseThrow();
            chosen.requestStarted();
            outstanding.addLast(chosen);
            picks[h.indexOf(chosen)]++;
        }
        double share = picks[0] / 4000.0;
        System.out.printf("least-request weights 3:1, 40 outstanding: share of weight-3 host = %.3f%n", share);
        assertTrue(share > 0.70 && share < 0.80, "share " + share);
    }

    @Test
    void singleUsableHostIsReturnedHoweverBusy() {
        List<UpstreamHost> h = RoundRobinBalancerTest.hosts(1, 1, 1);
        start(h.get(2), 100);
        h.get(0).markUnavailable();
        assertSame(h.get(2), lr(h).choose(REQUEST, Set.of(h.get(1))).orElseThrow());
    }

    @Test
    void skipsUnavailableAndExcludedAndIsEmptyWhenNoneLeft() {
        List<UpstreamHost> h = RoundRobinBalancerTest.hosts(1, 1, 1, 1);
        LoadBalancer lb = lr(h);
        h.get(0).markUnavailable();
        Map<UpstreamHost, Integer> counts = count(lb, 1000, Set.of(h.get(1)));
        assertEquals(Set.of(h.get(2), h.get(3)), counts.keySet());
        assertTrue(lb.choose(REQUEST, Set.of(h.get(1), h.get(2), h.get(3))).isEmpty());
        assertTrue(lr(List.of()).choose(REQUEST, Set.of()).isEmpty());
    }
}
