package dev.loomgate.gateway.node;

import dev.loomgate.testsupport.Await;
import java.nio.file.Files;
import java.time.Duration;

import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Routes file edits apply live; an invalid edit is rejected and the old table keeps serving. */
class HotReloadTest {
    private TestUpstream a;
    private TestUpstream b;
    private TestGateway gateway;

    private String routes(String version, String upstream, String extra) {
        return """
                version: "%s"
                upstreams:
                  - name: a
                    endpoints: [ %s ]
                  - name: b
                    endpoints: [ %s ]
                routes:
                  - id: main
                    upstream: %s
                    match: { path-prefix: /svc }
                %s""".formatted(version, a.address(), b.address(), upstream, extra);
    }

    @BeforeEach
    void setUp() throws Exception {
        a = TestUpstream.start("a");
        b = TestUpstream.start("b");
        gateway = TestGateway.start(routes("v1", "a", ""));
    }

    @AfterEach
    void tearDown() {
        gateway.close();
        a.close();
        b.close();
    }

    @Test
    void validChangeAppliesAndInvalidChangeIsRejected() throws Exception {
        assertEquals("a GET /svc/x", gateway.get("/svc/x").body());
        assertEquals(404, gateway.get("/new").statusCode());

        Files.writeString(gateway.routesFile(), routes("v2", "b", """
                  - id: new
                    upstream: a
                    match: { path: /new }
                """));
        Await.until("v2 applied", Duration.ofSeconds(10), () -> gateway.node().routing().current().version().equals("v2"));
        assertEquals("b GET /svc/x", gateway.get("/svc/x").body());
        assertEquals(200, gateway.get("/new").statusCode());

        // a route naming an unknown upstream: rejected with the field and reason, v2 keeps serving
        Files.writeString(gateway.routesFile(), routes("v3", "nope", ""));
        Await.until("rejection", Duration.ofSeconds(10), () -> gateway.node().routing().lastRejection().isPresent());
        String reason = gateway.node().routing().lastRejection().orElseThrow().reason();
        assertTrue(reason.contains("routes[0].upstream") && reason.contains("unknown upstream 'nope'"), reason);
        assertEquals("v2", gateway.node().routing().current().version());
        assertEquals("b GET /svc/x", gateway.get("/svc/x").body());

        // broken YAML: rejected too, with a line number
        Files.writeString(gateway.routesFile(), "routes: [ { id: x, upstream: a\n");
        Await.until("second rejection", Duration.ofSeconds(10), () -> !gateway.node().routing().lastRejection().orElseThrow().reason().equals(reason));
        assertTrue(gateway.node().routing().lastRejection().orElseThrow().reason().matches("(?s).*routes\\.yaml:\\d+.*"),
                gateway.node().routing().lastRejection().orElseThrow().reason());
        assertEquals("b GET /svc/x", gateway.get("/svc/x").body());
        assertTrue(gateway.admin("/metrics").body().contains("loomgate_config_changes_total{outcome=\"rejected\"} 2"));
    }
}
