package dev.loomgate.gateway.call;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Set;

import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A reload that deletes an upstream and a route drops their breaker, bulkhead and retry budget. */
class ReloadPruningTest {
    private static String routes(String version, TestUpstream a, TestUpstream b, boolean withB) {
        String upstreamB = withB ? """
                  - name: b
                    endpoints: [ %s ]
                    circuit-breaker: { window: 4, failure-ratio: 50, open-for: 1s, half-open-requests: 1 }
                """.formatted(b.address()) : "";
        String routeB = withB ? """
                  - id: rb
                    upstream: b
                    match: { path-prefix: /b }
                    retries: { attempts: 2 }
                """ : "";
        return """
                version: "%s"
                upstreams:
                  - name: a
                    endpoints: [ %s ]
                    circuit-breaker: { window: 4, failure-ratio: 50, open-for: 1s, half-open-requests: 1 }
                %sroutes:
                  - id: ra
                    upstream: a
                    match: { path-prefix: /a }
                    retries: { attempts: 2 }
                %s""".formatted(version, a.address(), upstreamB, routeB);
    }

    @Test
    void deletedUpstreamsAndRoutesLeaveNoState() throws Exception {
        try (TestUpstream a = TestUpstream.start("a").behave(Behaviors.ok("a"));
             TestUpstream b = TestUpstream.start("b").behave(Behaviors.ok("b"));
             TestGateway gw = TestGateway.start(routes("v1", a, b, true))) {
            assertEquals(200, gw.get("/a/x").statusCode());
            assertEquals(200, gw.get("/b/x").statusCode());
            var registry = gw.node().resilience();
            assertEquals(Set.of("a", "b"), registry.upstreamsWithGuards());
            assertEquals(Set.of("ra", "rb"), registry.routesWithBudgets());
            assertTrue(registry.breaker("b").isPresent());

            Files.writeString(gw.routesFile(), routes("v2", a, b, false));
            // listeners run right after the snapshot swap, on the thread that applied it
            Await.until("v2 applied and its listeners run", Duration.ofSeconds(10),
                    () -> gw.node().routing().current().version().equals("v2")
                            && registry.routesWithBudgets().equals(Set.of("ra")));
            assertEquals(Set.of("a"), registry.upstreamsWithGuards());
            assertTrue(registry.breaker("b").isEmpty());
            assertEquals(200, gw.get("/a/x").statusCode(), "what stays keeps working");
            assertTrue(registry.breaker("a").isPresent());
        }
    }
}
