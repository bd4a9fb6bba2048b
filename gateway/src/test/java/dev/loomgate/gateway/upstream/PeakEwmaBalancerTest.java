package dev.loomgate.gateway.upstream;

import dev.loomgate.gateway.testing.FixedRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Picks and cost of the peak-EWMA balancer, with latencies recorded by hand. */
class PeakEwmaBalancerTest {
    private static final FixedRequest REQUEST = FixedRequest.fromIp("192.0.2.1");
    private static final long MS = 1_000_000;
    private static final PeakEwmaSettings SETTINGS = new PeakEwmaSettings(Duration.ofSeconds(10));
    private static final long TAU = SETTINGS.decayNanos();

    private static UpstreamHost host(int port, int weight) {
        return new UpstreamHost(new Endpoint("127.0.0.1", port, weight));
    }

    private static LoadBalancer balancer(List<UpstreamHost> hosts) {
        return new PeakEwmaBalancer(hosts, SETTINGS);
    }

    private static Map<UpstreamHost, Integer> count(LoadBalancer lb, int n, Set<UpstreamHost> exclude) {
        Map<UpstreamHost, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(lb.choose(REQUEST, exclude).orElseThrow(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void costIsLatencyTimesInFlightPlusOne() {
        UpstreamHost h = host(1, 1);
        long now = System.nanoTime();
        h.latency().record(4 * MS, now, TAU);
        assertEquals(4.0 * MS, PeakEwmaBalancer.cost(h, now, TAU), 4 * MS * 1e-4);
        h.requestStarted();
        h.requestStarted();
        assertEquals(12.0 * MS, PeakEwmaBalancer.cost(h, now, TAU), 12 * MS * 1e-4);
    }

    @Test
    void aHostWithoutHistoryCostsNothingIdleAndThePenaltyBusy() {
        UpstreamHost h = host(1, 1);
        long now = System.nanoTime();
        assertEquals(0.0, PeakEwmaBalancer.cost(h, now, TAU));
        h.requestStarted();
        assertEquals(PeakEwmaBalancer.PENALTY + 1, PeakEwmaBalancer.cost(h, now, TAU));
    }

    @Test
    void aSlowHostIsAvoided() {
        UpstreamHost fast1 = host(1, 1);
        UpstreamHost fast2 = host(2, 1);
        UpstreamHost slow = host(3, 1);
        long now = System.nanoTime();
        fast1.latency().record(MS, now, TAU);
        fast2.latency().record(MS, now, TAU);
        slow.latency().record(50 * MS, now, TAU);
        Map<UpstreamHost, Integer> counts = count(balancer(List.of(fast1, slow, fast2)), 3000, Set.of());
        // the slow host loses every draw: pairs without it are 1/3, pairs with it go to the fast one
        assertEquals(null, counts.get(slow));
        assertTrue(counts.get(fast1) > 1200 && counts.get(fast2) > 1200, counts.toString());
    }

    @Test
    void inFlightRequestsOutweighLatency() {
        UpstreamHost a = host(1, 1);
        UpstreamHost b = host(2, 1);
        long now = System.nanoTime();
        a.latency().record(MS, now, TAU);
        b.latency().record(5 * MS, now, TAU);
        for (int i = 0; i < 9; i++) {
            a.requestStarted(); // 1 ms × 10 > 5 ms × 1
        }
        Map<UpstreamHost, Integer> counts = count(balancer(List.of(a, b)), 100, Set.of());
        assertEquals(100, counts.get(b));
    }

    @Test
    void weightDividesTheCost() {
        UpstreamHost light = host(1, 1);
        UpstreamHost heavy = host(2, 3);
        long now = System.nanoTime();
        light.latency().record(MS, now, TAU);
        heavy.latency().record(2 * MS, now, TAU); // 2 ms / 3 < 1 ms / 1
        assertEquals(100, count(balancer(List.of(light, heavy)), 100, Set.of()).get(heavy));
    }

    @Test
    void aNewHostGetsOneRequestAtATimeUntilItsFirstAnswer() {
        UpstreamHost known = host(1, 1);
        UpstreamHost fresh = host(2, 1);
        known.latency().record(100 * MS, System.nanoTime(), TAU);
        LoadBalancer lb = balancer(List.of(known, fresh));
        assertSame(fresh, lb.choose(REQUEST, Set.of()).orElseThrow(), "idle and unknown: cost 0");
        fresh.requestStarted();
        known.requestStarted(); // even a slow, busy host beats an unknown one that is already busy
        assertEquals(100, count(lb, 100, Set.of()).get(known));
        fresh.latency().record(MS, System.nanoTime(), TAU);
        fresh.requestFinished();
        assertEquals(100, count(lb, 100, Set.of()).get(fresh));
    }

    @Test
    void excludedAndUnavailableHostsAreNotPicked() {
        UpstreamHost a = host(1, 1);
        UpstreamHost b = host(2, 1);
        UpstreamHost c = host(3, 1);
        LoadBalancer lb = balancer(List.of(a, b, c));
        b.markUnavailable();
        Map<UpstreamHost, Integer> counts = count(lb, 300, Set.of(a));
        assertEquals(Map.of(c, 300), counts);
        c.markUnavailable();
        assertEquals(Optional.empty(), lb.choose(REQUEST, Set.of(a)));
    }

    @Test
    void withEqualCostsPicksSpreadOverAllHosts() {
        List<UpstreamHost> hosts = List.of(host(1, 1), host(2, 1), host(3, 1), host(4, 1));
        long now = System.nanoTime();
        hosts.forEach(h -> h.latency().record(MS, now, TAU));
        Map<UpstreamHost, Integer> counts = count(balancer(hosts), 4000, Set.of());
        for (UpstreamHost h : hosts) {
            assertTrue(counts.get(h) > 800, counts.toString());
        }
    }

    @Test
    void theDefinitionChoosesThisBalancerWithItsDecay() {
        UpstreamDefinition def = new UpstreamDefinition("u", List.of(new Endpoint("127.0.0.1", 1, 1)),
                LoadBalancerKind.PEAK_EWMA, Optional.empty(), new PeakEwmaSettings(Duration.ofSeconds(3)),
                dev.loomgate.gateway.resilience.UpstreamResilience.DEFAULTS, Optional.empty());
        LoadBalancer lb = LoadBalancers.create(def, List.of(host(1, 1)));
        assertTrue(lb instanceof PeakEwmaBalancer);
    }
}
