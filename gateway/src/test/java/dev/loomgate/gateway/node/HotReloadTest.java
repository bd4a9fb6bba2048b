package dev.loomgate.gateway.node;

import java.nio.file.Files;
import java.time.Duration;
import java.util.function.BooleanSupplier;

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

    private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(25);
        }
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
        await(() -> gateway.node().routing().current().version().equals("v2"), Duration.ofSeconds(10), "v2 applied");
        assertEquals("b GET /svc/x", gateway.get("/svc/x").body());
        assertEquals(200, gateway.get("/new").statusCode());

        // a route naming an unknown upstream: rejected with the field and reason, v2 keeps serving
        Files.writeString(gateway.routesFile(), routes("v3", "nope", ""));
        await(() -> gateway.node().routing().lastRejection().isPresent(), Duration.ofSeconds(10), "rejection");
        String reason = gateway.node().routing().lastRejection().orElseThrow().reason();
        assertTrue(reason.contains("routes[0].upstream") && reason.contains("unknown upstream 'nope'"), reason);
        assertEquals("v2", gateway.node().routing().current().version());
        assertEquals("b GET /svc/x", gateway.get("/svc/x").body());

        // broken YAML: rejected too, with a line number
        Files.writeString(gateway.routesFile(), "routes: [ { id: x, upstream: a\n");
        await(() -> !gateway.node().routing().lastRejection().orElseThrow().reason().equals(reason),
                Duration.ofSeconds(10), "second rejection");
        assertTrue(gateway.node().routing().lastRejection().orElseThrow().reason().matches("(?s).*routes\\.yaml:\\d+.*"),
                gateway.node().routing().lastRejection().orElseThrow().reason());
        assertEquals("b GET /svc/x", gateway.get("/svc/x").body());
        assertTrue(gateway.admin("/metrics").body().contains("loomgate_config_changes_total{outcome=\"rejected\"} 2"));
    }
}
