package dev.loomgate.gateway.node;

import java.nio.file.Files;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A route or upstream deleted by a config change leaves /metrics; the ones that stay keep counting. */
class MetricsForgetDeletedRoutesTest {
    private TestUpstream a;
    private TestUpstream b;
    private TestGateway gateway;

    private String routes(String version, boolean withOld) {
        return """
                version: "%s"
                upstreams:
                  - name: kept-up
                    endpoints: [ %s ]
                %s
                routes:
                  - id: kept
                    upstream: kept-up
                    match: { path-prefix: /kept }
                %s""".formatted(version, a.address(),
                withOld ? "  - name: old-up\n    endpoints: [ " + b.address() + " ]" : "",
                withOld ? "  - id: old\n    upstream: old-up\n    match: { path-prefix: /old }\n" : "");
    }

    @BeforeEach
    void setUp() throws Exception {
        a = TestUpstream.start("a");
        b = TestUpstream.start("b");
        gateway = TestGateway.start(routes("v1", true));
    }

    @AfterEach
    void tearDown() {
        gateway.close();
        a.close();
        b.close();
    }

    @Test
    void deletedRouteAndUpstreamLeaveMetrics() throws Exception {
        assertEquals(200, gateway.get("/old/x").statusCode());
        assertEquals(200, gateway.get("/kept/x").statusCode());
        String before = gateway.admin("/metrics").body();
        assertTrue(before.contains("loomgate_route_requests_total{route=\"old\",code=\"2xx\"} 1"), before);
        assertTrue(before.contains("loomgate_upstream_request_duration_seconds_bucket{upstream=\"old-up\""), before);

        Files.writeString(gateway.routesFile(), routes("v2", false));
        Await.until("v2 applied", Duration.ofSeconds(10),
                () -> gateway.node().routing().current().version().equals("v2"));
        assertEquals(404, gateway.get("/old/x").statusCode());
        assertEquals(200, gateway.get("/kept/x").statusCode());

        String after = gateway.admin("/metrics").body();
        assertFalse(after.contains("route=\"old\""), after);
        assertFalse(after.contains("upstream=\"old-up\""), after);
        assertTrue(after.contains("loomgate_route_requests_total{route=\"kept\",code=\"2xx\"} 2"),
                "a route that stays keeps its counts across the change: " + after);
        assertTrue(after.contains("loomgate_upstream_requests_total{upstream=\"kept-up\",code=\"2xx\"} 2"), after);
    }
}
