package dev.loomgate.gateway.upstream;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpstreamRegistryTest {
    private static final Endpoint E1 = new Endpoint("127.0.0.1", 9001, 1);
    private static final Endpoint E2 = new Endpoint("127.0.0.1", 9002, 1);
    private static final Endpoint E3 = new Endpoint("127.0.0.1", 9003, 1);

    private static UpstreamDefinition def(String name, LoadBalancerKind kind, Endpoint... endpoints) {
        return new UpstreamDefinition(name, List.of(endpoints), kind, Optional.empty());
    }

    private static UpstreamDefinition def(String name, Endpoint... endpoints) {
        return def(name, LoadBalancerKind.ROUND_ROBIN, endpoints);
    }

    private static UpstreamHost host(UpstreamRegistry registry, String upstream, Endpoint e) {
        return registry.upstream(upstream).orElseThrow().hosts().stream()
                .filter(h -> h.endpoint().equals(e)).findFirst().orElseThrow();
    }

    @Test
    void keepsHostsOfUnchangedEndpointsAcrossApply() {
        UpstreamRegistry registry = new UpstreamRegistry();
        registry.apply(List.of(def("orders", E1, E2)));
        UpstreamHost h1 = host(registry, "orders", E1);
        UpstreamHost h2 = host(registry, "orders", E2);
        h1.requestStarted();
        h1.requestStarted();
        h2.markUnavailable();

        Map<String, Upstream> v2 = registry.apply(List.of(def("orders", LoadBalancerKind.LEAST_REQUEST, E1, E3)));
        Upstream orders = v2.get("orders");
        assertSame(orders, registry.upstream("orders").orElseThrow());
        assertEquals(List.of(E1, E3), orders.hosts().stream().map(UpstreamHost::endpoint).toList());
        assertSame(h1, orders.hosts().get(0));
        assertEquals(2, orders.hosts().get(0).inFlight(), "in-flight count survives the reload");
        assertTrue(orders.hosts().stream().noneMatch(h -> h == h2), "removed endpoint is gone");
        UpstreamHost h3 = orders.hosts().get(1);
        assertEquals(0, h3.inFlight());

        // E2 back later: a fresh host, not the old removed one
        registry.apply(List.of(def("orders", E1, E2, E3)));
        assertSame(h1, host(registry, "orders", E1));
        assertSame(h3, host(registry, "orders", E3));
        assertNotSame(h2, host(registry, "orders", E2));
        assertTrue(host(registry, "orders", E2).available());
    }

    @Test
    void weightChangeMakesANewHost() {
        UpstreamRegistry registry = new UpstreamRegistry();
        registry.apply(List.of(def("orders", E1, E2)));
        UpstreamHost h1 = host(registry, "orders", E1);
        UpstreamHost h2 = host(registry, "orders", E2);
        Endpoint heavier = new Endpoint("127.0.0.1", 9001, 3);
        registry.apply(List.of(def("orders", heavier, E2)));
        assertNotSame(h1, host(registry, "orders", heavier));
        assertSame(h2, host(registry, "orders", E2));
    }

    @Test
    void unchangedDefinitionKeepsTheUpstreamAndItsBalancerState() {
        UpstreamRegistry registry = new UpstreamRegistry();
        UpstreamDefinition orders = def("orders", E1, E2);
        Upstream first = registry.apply(List.of(orders)).get("orders");
        Upstream second = registry.apply(List.of(def("orders", E1, E2), def("billing", E3))).get("orders");
        assertSame(first, second);
    }

    @Test
    void hostsAreNotSharedBetweenUpstreamsOrTakenFromRenamedOnes() {
        UpstreamRegistry registry = new UpstreamRegistry();
        registry.apply(List.of(def("orders", E1), def("billing", E1)));
        assertNotSame(host(registry, "orders", E1), host(registry, "billing", E1));
        UpstreamHost billing = host(registry, "billing", E1);
        registry.apply(List.of(def("payments", E1)));
        assertTrue(registry.upstream("billing").isEmpty());
        assertTrue(registry.upstream("orders").isEmpty());
        assertNotSame(billing, host(registry, "payments", E1));
        assertEquals(List.of("payments"), List.copyOf(registry.upstreams().keySet()));
    }

    @Test
    void anUpstreamLeftOutOfAnApplyIsForgottenAndComesBackFresh() {
        UpstreamRegistry registry = new UpstreamRegistry();
        registry.apply(List.of(def("orders", E1), def("users", E2)));
        UpstreamHost old = host(registry, "users", E2);
        registry.apply(List.of(def("orders", E1)));
        assertTrue(registry.upstream("users").isEmpty());
        assertEquals(Set.of("orders"), registry.upstreams().keySet());
        registry.apply(List.of(def("orders", E1), def("users", E2)));
        assertNotSame(old, host(registry, "users", E2), "no live state kept for a deleted upstream");
    }

    @Test
    void invalidInputLeavesTheSnapshotAlone() {
        UpstreamRegistry registry = new UpstreamRegistry();
        Map<String, Upstream> v1 = registry.apply(List.of(def("orders", E1)));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> registry.apply(List.of(def("orders", E2), def("orders", E3))));
        assertTrue(twice.getMessage().contains("'orders'"), twice.getMessage());
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> registry.apply(List.of(def("orders", E1, new Endpoint("127.0.0.1", 9001, 2)))));
        assertTrue(dup.getMessage().contains("127.0.0.1:9001"), dup.getMessage());
        assertSame(v1, registry.upstreams());
    }

    @Test
    void concurrentAppliesKeepTheStayingHost() throws Exception {
        UpstreamRegistry registry = new UpstreamRegistry();
        registry.apply(List.of(def("orders", E1)));
        UpstreamHost h1 = host(registry, "orders", E1);
        List<Future<?>> done = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        Map<String, Upstream> s = (i + thread) % 2 == 0
                                ? registry.apply(List.of(def("orders", E1, E2)))
                                : registry.apply(List.of(def("orders", E1)));
                        assertSame(h1, s.get("orders").hosts().get(0));
                    }
                }));
            }
        }
        for (Future<?> f : done) {
            f.get();
        }
        assertSame(h1, host(registry, "orders", E1));
    }
}
