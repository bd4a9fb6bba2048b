package dev.loomgate.gateway.admin;

import dev.loomgate.testsupport.Await;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.loomgate.gateway.GatewayNode;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.config.NodeConfig;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminApiTest {
    private static final String TOKEN = "s3cret-admin-token-0123";
    private TestUpstream upstream;
    private TestGateway gw;
    private String routes;

    @BeforeEach
    void setUp() throws Exception {
        upstream = TestUpstream.start("u");
        routes = """
                version: v1
                upstreams:
                  - name: app
                    endpoints: [ %s ]
                    circuit-breaker: { window: 10 }
                    max-in-flight: 50
                routes:
                  - id: api
                    upstream: app
                    match: { path-prefix: /api }
                    timeouts: { connect: 250ms, total: 3s }
                    retries: { attempts: 2 }
                """.formatted(upstream.address());
        gw = TestGateway.start(routes);
    }

    @AfterEach
    void tearDown() {
        gw.close();
        upstream.close();
    }

    private HttpResponse<String> call(int port, String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("X-Loomgate-Admin", "1"); // as curl, the CLI and scripts send it (AdminGuard)
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return TestGateway.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonObject adminConfig() {
        try {
            return json(gw.admin("/admin/config"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static JsonObject json(HttpResponse<String> r) {
        return Json.createReader(new StringReader(r.body())).readObject();
    }

    private static void assertProblem(HttpResponse<String> r, int status, String slug) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""));
        assertEquals("https://loomgate.dev/problems/" + slug, json(r).getString("type"), r.body());
    }

    @Test
    void routesWithTheConfigVersion() throws Exception {
        HttpResponse<String> r = gw.admin("/admin/routes");
        assertEquals(200, r.statusCode());
        JsonObject o = json(r);
        assertEquals("v1", o.getString("version"));
        JsonObject route = o.getJsonArray("routes").getJsonObject(0);
        assertEquals("api", route.getString("id"));
        assertEquals(250, route.getJsonObject("timeouts").getInt("connectMs"));
        assertEquals(2, route.getJsonObject("retries").getInt("attempts"));
        assertEquals("api", json(gw.admin("/admin/routes/api")).getString("id"));
        assertProblem(gw.admin("/admin/routes/nope"), 404, "not-found");
    }

    @Test
    void upstreamsWithEndpointsHealthBreakerAndInFlight() throws Exception {
        JsonObject u = json(gw.admin("/admin/upstreams")).getJsonArray("upstreams").getJsonObject(0);
        assertEquals("app", u.getString("name"));
        assertEquals(50, u.getInt("maxInFlight"));
        assertEquals(0, u.getInt("inFlight"));
        assertEquals("closed", u.getJsonObject("circuitBreaker").getString("state"));
        JsonObject ep = u.getJsonArray("endpoints").getJsonObject(0);
        assertEquals(upstream.address(), ep.getString("address"));
        assertTrue(ep.getBoolean("available"));
        assertEquals("unchecked", ep.getString("health"));
        assertEquals(false, ep.getBoolean("ejected"));
        assertEquals("app", json(gw.admin("/admin/upstreams/app")).getString("name"));
        assertProblem(gw.admin("/admin/upstreams/nope"), 404, "not-found");
    }

    @Test
    void configShowsTheLastRejectedChangeAndWhy() throws Exception {
        JsonObject before = json(gw.admin("/admin/config"));
        assertEquals("v1", before.getString("version"));
        assertTrue(before.isNull("lastRejection"));
        Files.writeString(gw.routesFile(), routes.replace("attempts: 2", "attempts: 0"));
        JsonObject after = Await.value("/admin/config to show the rejected change", Duration.ofSeconds(8),
                () -> adminConfig(), c -> !c.isNull("lastRejection"));
        assertEquals("v1", after.getString("version"), "the last good version keeps serving");
        String reason = after.getJsonObject("lastRejection").getString("reason");
        assertTrue(reason.contains("retries.attempts") && reason.contains("1..10"), reason);
    }

    @Test
    void badInputIsA4xxProblem() throws Exception {
        int port = gw.adminPort();
        assertProblem(call(port, "POST", "/admin/drain", "{not json"), 400, "bad-request");
        assertProblem(call(port, "POST", "/admin/drain", "[1,2]"), 400, "bad-request");
        assertProblem(call(port, "POST", "/admin/drain", "{\"timeout\": 5}"), 400, "bad-request");
        assertProblem(call(port, "POST", "/admin/drain", "{\"timeout\": \"5 parsecs\"}"), 400, "bad-request");
        assertProblem(call(port, "POST", "/admin/drain", "{\"speed\": \"fast\"}"), 400, "bad-request");
        assertProblem(call(port, "GET", "/admin/drain", null), 405, "method-not-allowed");
        assertProblem(call(port, "DELETE", "/admin/routes", null), 405, "method-not-allowed");
        assertProblem(call(port, "GET", "/admin/nothing", null), 404, "not-found");
        assertProblem(call(port, "GET", "/admin/routes/api/extra", null), 404, "not-found");
        assertEquals(GatewayNode.Phase.READY, gw.node().phase(), "no bad input started a drain");
        HttpResponse<String> ok = call(port, "POST", "/admin/drain", "{\"timeout\": \"2s\", \"quiet-period\": \"50ms\"}");
        assertEquals(202, ok.statusCode(), ok.body());
        assertEquals(50, json(ok).getInt("quietPeriodMs"));
        assertProblem(call(port, "POST", "/admin/drain", null), 409, "conflict");
        gw.node().awaitStopped();
    }

    @Test
    void aNonLoopbackAdminPortNeedsAToken() throws Exception {
        NodeConfig config = gw.node().config();
        NodeConfig open = config.toBuilder().node(n -> n.adminHost("0.0.0.0")).build();
        ConfigException e = assertThrows(ConfigException.class, () -> AdminAuth.token(open, Map.of()));
        assertTrue(e.getMessage().contains("node.admin-token"), e.getMessage());
        assertEquals(Optional.of("from-env-0123456789"), AdminAuth.token(open, Map.of(AdminAuth.ENV, "from-env-0123456789")));
        assertEquals(Optional.empty(), AdminAuth.token(config, Map.of()), "loopback needs none");
        if (System.getenv(AdminAuth.ENV) == null) {
            assertThrows(ConfigException.class, () -> GatewayNode.start(open));
        }

        try (TestGateway guarded = TestGateway.start(routes, c -> c.toBuilder().node(n -> n.adminHost("0.0.0.0"))
                .operations(o -> o.adminToken(TOKEN)).build())) {
            int port = guarded.adminPort();
            HttpResponse<String> none = call(port, "GET", "/admin/routes", null);
            assertProblem(none, 401, "unauthorized");
            assertTrue(none.headers().firstValue("www-authenticate").orElse("").startsWith("Bearer"));
            assertProblem(call(port, "GET", "/admin/routes", null, "Authorization", "Bearer wrong"), 401, "unauthorized");
            assertProblem(call(port, "POST", "/admin/drain", null, "Authorization", "Basic " + TOKEN), 401, "unauthorized");
            assertEquals(GatewayNode.Phase.READY, guarded.node().phase());
            assertEquals(200, call(port, "GET", "/admin/routes", null, "Authorization", "Bearer " + TOKEN).statusCode());
            assertEquals(200, call(port, "GET", "/health/ready", null).statusCode(), "health stays open for load balancers");
        }
    }
}
