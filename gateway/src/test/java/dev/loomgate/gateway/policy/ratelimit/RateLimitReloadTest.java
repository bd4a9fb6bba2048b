package dev.loomgate.gateway.policy.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;

/** Reloads change a route's rate limit at once and forget the counters of deleted routes. */
class RateLimitReloadTest {
    private static String routes(String version, TestUpstream u, String limitedRoute) {
        return """
                version: "%s"
                upstreams:
                  - name: u
                    endpoints: [ %s ]
                routes:
                  - id: kept
                    upstream: u
                    match: { path-prefix: /kept }
                    rate-limit: { key: route, limit: 1, per: 1m }
                %s""".formatted(version, u.address(), limitedRoute);
    }

    @Test
    void aDeletedRouteLeavesNoCountersAndANewLimitAppliesToTheNextRequest() throws Exception {
        try (TestUpstream u = TestUpstream.start("u").behave(Behaviors.ok("u"));
             TestGateway gw = TestGateway.start(routes("v1", u, """
                       - id: gone
                         upstream: u
                         match: { path-prefix: /gone }
                         rate-limit: { key: route, limit: 5, per: 1m }
                     """))) {
            assertEquals(200, gw.get("/gone/x").statusCode());
            assertEquals(200, gw.get("/kept/x").statusCode());
            assertEquals(429, gw.get("/kept/x").statusCode());
            RateLimitService limits = gw.node().rateLimits();
            assertEquals(Set.of("gone", "kept"), limits.countedRoutes());
            assertTrue(gw.admin("/metrics").body().contains("route=\"gone\",policy=\"gone\""));

            Files.writeString(gw.routesFile(), routes("v2", u, """
                      - id: gone
                        upstream: u
                        match: { path-prefix: /gone }
                        rate-limit: off
                    """.replace("gone", "other")));
            // listeners run right after the snapshot swap, on the thread that applied it
            Await.until("v2 applied and its listeners run", Duration.ofSeconds(10),
                    () -> gw.node().routing().current().version().equals("v2")
                            && limits.countedRoutes().equals(Set.of("kept")));
            assertFalse(gw.admin("/metrics").body().contains("route=\"gone\""), "no series of a deleted route");
            assertEquals(200, gw.get("/other/x").statusCode(), "rate-limit: off");
            assertEquals(200, gw.get("/other/x").statusCode(), "rate-limit: off");
            assertEquals(429, gw.get("/kept/x").statusCode(), "the kept route keeps its bucket");
        }
    }
}
