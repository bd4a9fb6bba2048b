package dev.loomgate.gateway.call;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.loomgate.gateway.pipeline.Pipelines;
import dev.loomgate.gateway.client.UpstreamClient;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.observe.GatewayMetrics;
import dev.loomgate.gateway.resilience.CircuitBreakerSettings;
import dev.loomgate.gateway.resilience.ResilienceMetrics;
import dev.loomgate.gateway.resilience.ResilienceRegistry;
import dev.loomgate.gateway.resilience.RetryPolicy;
import dev.loomgate.gateway.resilience.Timeouts;
import dev.loomgate.gateway.resilience.UpstreamResilience;
import dev.loomgate.gateway.route.Route;
import dev.loomgate.gateway.route.RouteTable;
import dev.loomgate.gateway.routing.RoutingSnapshot;
import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.FixedRequest;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.gateway.upstream.Endpoint;
import dev.loomgate.gateway.upstream.LoadBalancerKind;
import dev.loomgate.gateway.upstream.Upstream;
import dev.loomgate.gateway.upstream.UpstreamDefinition;
import dev.loomgate.gateway.upstream.UpstreamHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpstreamCallsTest {
    private static final RetryPolicy TWO = new RetryPolicy(2, RetryPolicy.DEFAULT_ON, RetryPolicy.DEFAULT_STATUSES, 20, 3, 65536);
    private final UpstreamClient client = Tries.client();
    private final ResilienceMetrics resilienceMetrics = new ResilienceMetrics();
    private final ResilienceRegistry registry = new ResilienceRegistry(resilienceMetrics);
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final UpstreamCalls calls = new UpstreamCalls(client, registry, metrics, r -> new Problem(Problem.Type.BAD_REQUEST, "x"));

    @AfterEach
    void close() {
        client.close();
    }

    private static Upstream upstream(String name, UpstreamResilience resilience, int port) {
        Endpoint e = new Endpoint("127.0.0.1", port, 1);
        return new Upstream(new UpstreamDefinition(name, List.of(e), LoadBalancerKind.ROUND_ROBIN, Optional.empty(), resilience),
                List.of(new UpstreamHost(e)));
    }

    private static RoutingSnapshot snapshot(List<Route> routes, Upstream... upstreams) {
        Map<String, Upstream> byName = new java.util.HashMap<>();
        for (Upstream u : upstreams) {
            byName.put(u.name(), u);
        }
        return new RoutingSnapshot("v", RouteTable.of(routes), Map.copyOf(byName), Pipelines.none(), Instant.now());
    }

    @Test
    void theComposedChainGuardsAndMeasuresEachTry() throws Exception {
        UpstreamResilience withBreaker = new UpstreamResilience(Timeouts.NONE, Optional.empty(), Optional.empty(),
                Optional.of(new CircuitBreakerSettings(2, 50, Duration.ofSeconds(30), 1)), 0, false);
        try (TestUpstream failing = TestUpstream.start("f").behave(Behaviors.status(500, "f"))) {
            Upstream u = upstream("u", withBreaker, failing.port());
            Route route = Tries.route("r", "u", RetryPolicy.NONE, Timeouts.NONE);
            for (int i = 0; i < 2; i++) {
                CallOutcome.Answered a = assertInstanceOf(CallOutcome.Answered.class,
                        calls.forward(u, route, FixedRequest.fromIp("192.0.2.1"), Tries.get(), e -> { }));
                a.response().close();
                a.finished().run();
            }
            CallOutcome.Failed open = assertInstanceOf(CallOutcome.Failed.class,
                    calls.forward(u, route, FixedRequest.fromIp("192.0.2.1"), Tries.get(), e -> { }));
            assertEquals(Problem.Type.CIRCUIT_OPEN, open.problem().type());
            assertTrue(open.retryAfter().isPresent());
            assertEquals(2, failing.requestCount());
            assertEquals(2, metrics.upstream("u").count(5));
            assertEquals(0, registry.inFlight("u"));
        }
    }

    @Test
    void anAppliedSnapshotDropsTheStateOfDeletedUpstreamsAndRoutes() {
        Upstream a = upstream("a", UpstreamResilience.DEFAULTS, 9001);
        Upstream b = upstream("b", UpstreamResilience.DEFAULTS, 9002);
        Route ra = Tries.route("ra", "a", TWO, Timeouts.NONE);
        Route rb = Tries.route("rb", "b", TWO, Timeouts.NONE);
        calls.applied(snapshot(List.of(ra, rb), a, b));
        registry.budget("ra", TWO);
        registry.budget("rb", TWO);
        assertEquals(Set.of("a", "b"), registry.upstreamsWithGuards(), "composed when the snapshot came");
        assertEquals(Set.of("ra", "rb"), registry.routesWithBudgets());

        calls.applied(snapshot(List.of(ra), a));
        assertEquals(Set.of("a"), registry.upstreamsWithGuards());
        assertEquals(Set.of("ra"), registry.routesWithBudgets());
    }

    @Test
    void aChangedUpstreamGetsNewGuardsAndAnUnchangedOneKeepsThem() {
        UpstreamResilience capped = new UpstreamResilience(Timeouts.NONE, Optional.empty(), Optional.empty(),
                Optional.of(CircuitBreakerSettings.DEFAULTS), 5, false);
        Upstream first = upstream("a", capped, 9001);
        calls.applied(snapshot(List.of(), first));
        var breaker = registry.breaker("a").orElseThrow();
        calls.applied(snapshot(List.of(), first));
        assertTrue(breaker == registry.breaker("a").orElseThrow(), "same upstream object: same guards");

        UpstreamResilience otherBreaker = new UpstreamResilience(Timeouts.NONE, Optional.empty(), Optional.empty(),
                Optional.of(new CircuitBreakerSettings(5, 50, Duration.ofSeconds(1), 1)), 5, false);
        calls.applied(snapshot(List.of(), upstream("a", otherBreaker, 9001)));
        assertEquals(5, registry.breaker("a").orElseThrow().settings().window(), "new settings: a new breaker");
    }
}
