package dev.loomgate.gateway.resilience;

import dev.loomgate.testsupport.Await;
import java.time.Duration;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.gateway.upstream.Upstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Active health checks take endpoints out and put them back; all unhealthy -> 503 or panic. */
class HealthCheckTest {
    private TestUpstream a;
    private TestUpstream b;
    private final AtomicReference<Integer> healthOfA = new AtomicReference<>(200);
    private final AtomicReference<Integer> healthOfB = new AtomicReference<>(200);
    private final AtomicInteger trafficA = new AtomicInteger();
    private final AtomicInteger trafficB = new AtomicInteger();
    private TestGateway gw;

    private static final String ROUTES = """
            upstreams:
              - name: pair
                endpoints: [ %s, %s ]
                health-check: { path: /healthz, interval: 100ms, timeout: 500ms, healthy-threshold: 2,
                                unhealthy-threshold: 2, expected-statuses: [200-204] }
                panic-mode: %s
            routes:
              - id: api
                upstream: pair
            """;

    @BeforeEach
    void setUp() throws Exception {
        a = TestUpstream.start("a");
        b = TestUpstream.start("b");
        a.behave(withHealth(healthOfA, trafficA, "a"));
        b.behave(withHealth(healthOfB, trafficB, "b"));
    }

    private static TestUpstream.Behavior withHealth(AtomicReference<Integer> health, AtomicInteger traffic, String name) {
        return (req, out) -> {
            if (req.target().equals("/healthz")) {
                return Behaviors.status(health.get(), name).respond(req, out);
            }
            traffic.incrementAndGet();
            return Behaviors.ok(name).respond(req, out);
        };
    }

    @AfterEach
    void tearDown() {
        if (gw != null) {
            gw.close();
        }
        a.close();
        b.close();
    }

    private boolean healthy(String endpoint) {
        Upstream u = gw.node().routing().current().upstream("pair").orElseThrow();
        return u.hosts().stream().filter(h -> h.endpoint().id().equals(endpoint)).findFirst().orElseThrow().available();
    }

    @Test
    void anUnhealthyEndpointGetsNoTrafficAndComesBack() throws Exception {
        gw = TestGateway.start(ROUTES.formatted(a.address(), b.address(), false));
        Await.until("the checker probes the endpoints", Duration.ofSeconds(5), () -> a.received().stream().anyMatch(r -> r.target().equals("/healthz")));
        healthOfA.set(503);
        Await.until("two failed checks take a out", Duration.ofSeconds(5), () -> !healthy(a.address()));
        int before = trafficA.get();
        for (int i = 0; i < 10; i++) {
            assertEquals("b GET /x", gw.get("/x").body());
        }
        assertEquals(before, trafficA.get(), "no traffic to the unhealthy endpoint");
        String view = gw.admin("/admin/upstreams").body();
        assertTrue(view.contains("\"health\":\"unhealthy\""), view);
        assertTrue(gw.admin("/metrics").body().contains(
                "loomgate_endpoint_healthy{upstream=\"pair\",endpoint=\"" + a.address() + "\"} 0"));

        // a reload that keeps the endpoint keeps its health state (the same host object)
        var hostBefore = gw.node().routing().current().upstream("pair").orElseThrow().hosts().getFirst();
        String changed = ROUTES.formatted(a.address(), b.address(), false) + "    match: { path-prefix: / }\n";
        gw.node().routing().apply(RoutesParser.parse(changed, "routes.yaml"));
        var hostAfter = gw.node().routing().current().upstream("pair").orElseThrow().hosts().getFirst();
        assertSame(hostBefore, hostAfter);
        assertFalse(healthy(a.address()), "still unhealthy after the reload");

        healthOfA.set(202); // within expected-statuses 200-204
        Await.until("two passing checks bring a back", Duration.ofSeconds(5), () -> healthy(a.address()));
        for (int i = 0; i < 10; i++) {
            gw.get("/y");
        }
        assertTrue(trafficA.get() > before, "traffic again");
    }

    @Test
    void allUnhealthyAnswers503Fast() throws Exception {
        gw = TestGateway.start(ROUTES.formatted(a.address(), b.address(), false));
        healthOfA.set(500);
        healthOfB.set(500);
        Await.until("!healthy(a.address()) && !healthy(b.address())", Duration.ofSeconds(5), () -> !healthy(a.address()) && !healthy(b.address()));
        HttpResponse<String> r = gw.get("/z");
        assertEquals(503, r.statusCode());
        assertTrue(r.body().contains("no-healthy-endpoint"), r.body());
        assertEquals(0, trafficA.get() + trafficB.get());
    }

    @Test
    void panicModeUsesAllEndpointsWhenNoneIsHealthy() throws Exception {
        gw = TestGateway.start(ROUTES.formatted(a.address(), b.address(), true));
        healthOfA.set(500);
        healthOfB.set(500);
        Await.until("!healthy(a.address()) && !healthy(b.address())", Duration.ofSeconds(5), () -> !healthy(a.address()) && !healthy(b.address()));
        for (int i = 0; i < 4; i++) {
            assertEquals(200, gw.get("/p").statusCode());
        }
        assertEquals(2, trafficA.get(), "panic spreads over all endpoints");
        assertEquals(2, trafficB.get());
    }

    @Test
    void removingTheHealthCheckForgetsItsVerdict() throws Exception {
        gw = TestGateway.start(ROUTES.formatted(a.address(), b.address(), false));
        healthOfA.set(500);
        Await.until("!healthy(a.address())", Duration.ofSeconds(5), () -> !healthy(a.address()));
        Files.writeString(gw.routesFile(), """
                upstreams:
                  - name: pair
                    endpoints: [ %s, %s ]
                routes:
                  - id: api
                    upstream: pair
                """.formatted(a.address(), b.address()));
        Await.until("no checks: the endpoint is trusted again", Duration.ofSeconds(8), () -> healthy(a.address()));
    }
}
