package dev.loomgate.gateway.admin;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;

import dev.loomgate.gateway.testing.RawHttp;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cluster page's static assets and JSON on a real node with an admin token (no Consul: this node only). */
class ClusterPageTest {
    private static final String TOKEN = "page-admin-token-0123456";
    private TestUpstream upstream;
    private TestGateway gw;

    @BeforeEach
    void setUp() throws Exception {
        upstream = TestUpstream.start("u");
        gw = TestGateway.start(routes("v1"), c -> c.toBuilder().operations(o -> o.adminToken(TOKEN)).build());
    }

    @AfterEach
    void tearDown() {
        gw.close();
        upstream.close();
    }

    private String routes(String version) {
        return """
                version: %s
                upstreams:
                  - name: app
                    endpoints: [ %s ]
                routes:
                  - id: api
                    upstream: app
                    match: { path-prefix: /api }
                """.formatted(version, upstream.address());
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.adminPort() + path))
                .timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return TestGateway.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonObject json(String path) {
        try {
            HttpResponse<String> r = get(path, "Authorization", "Bearer " + TOKEN);
            assertEquals(200, r.statusCode(), r.body());
            try (var reader = Json.createReader(new StringReader(r.body()))) {
                return reader.readObject();
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void pageAndAssetsAreServedWithoutTheTokenUnderAStrictPolicyAndRevalidateByEtag() throws Exception {
        for (String path : new String[] {"/ui", "/ui/app.js", "/ui/app.css"}) {
            HttpResponse<String> r = get(path);
            assertEquals(200, r.statusCode(), path);
            assertEquals(AdminUi.CONTENT_SECURITY_POLICY, r.headers().firstValue("Content-Security-Policy").orElseThrow(), path);
            assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElseThrow(), path);
            String etag = r.headers().firstValue("ETag").orElseThrow();
            HttpResponse<String> again = get(path, "If-None-Match", etag);
            assertEquals(304, again.statusCode(), path);
            assertEquals("", again.body());
            assertEquals(200, get(path, "If-None-Match", "\"other\"").statusCode(), path);
        }
        assertTrue(get("/ui").headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertTrue(get("/ui/app.js").headers().firstValue("Content-Type").orElseThrow().startsWith("text/javascript"));
        String html = get("/ui").body();
        assertFalse(html.contains("<script>") || html.contains("style=") || html.contains("http://")
                || html.contains("https://"), "no inline script or style, nothing from elsewhere: " + html);
        assertEquals(404, get("/ui/other.js").statusCode());
        assertEquals(403, RawHttp.exchange(gw.adminPort(), "GET /ui HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
                .status(), "the DNS rebinding guard covers the page");
    }

    @Test
    void theJsonNeedsTheToken() throws Exception {
        for (String path : new String[] {"/admin/node", "/admin/cluster", "/admin/stats"}) {
            HttpResponse<String> r = get(path);
            assertEquals(401, r.statusCode(), path);
            assertTrue(r.headers().firstValue("WWW-Authenticate").isPresent(), path);
            assertEquals(401, get(path, "Authorization", "Bearer wrong-token-0123456789").statusCode(), path);
        }
    }

    @Test
    void withoutConsulTheClusterIsThisNode() {
        JsonObject cluster = json("/admin/cluster");
        assertEquals("this-node", cluster.getString("source"));
        assertEquals(1, cluster.getJsonArray("nodes").size());
        JsonObject node = cluster.getJsonArray("nodes").getJsonObject(0);
        assertEquals("test-node", node.getString("id"));
        assertTrue(node.getBoolean("ready"));
        assertFalse(node.getBoolean("draining"));
        assertEquals("v1", node.getString("configVersion"));
        assertTrue(node.getBoolean("self"));
        assertTrue(node.getJsonNumber("uptimeSeconds").longValue() >= 0);
    }

    @Test
    void statsShowRateAndP99PerRouteAndTheConfigHistory() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertEquals(200, gw.get("/api/x").statusCode());
        }
        JsonObject api = Await.value("route api has a rate in /admin/stats", Duration.ofSeconds(15),
                () -> json("/admin/stats").getJsonArray("routes").stream().map(v -> v.asJsonObject())
                        .filter(r -> r.getString("route").equals("api")).findFirst().orElse(null),
                r -> r != null && r.getJsonNumber("requestsPerSecond").doubleValue() > 0);
        assertTrue(api.getJsonNumber("p99Ms").doubleValue() > 0, api.toString());
        assertEquals(0.0, api.getJsonNumber("serverErrorsPerSecond").doubleValue(), api.toString());

        Files.writeString(gw.routesFile(), "version: broken\nroutes: [ { id: x } ]\n");
        JsonObject config = Await.value("the rejection is listed", Duration.ofSeconds(10),
                () -> json("/admin/stats").getJsonObject("config"), c -> !c.getJsonArray("rejections").isEmpty());
        assertEquals("v1", config.getString("version"));
        Files.writeString(gw.routesFile(), routes("v2"));
        config = Await.value("v2 is listed as applied", Duration.ofSeconds(10),
                () -> json("/admin/stats").getJsonObject("config"),
                c -> c.getJsonArray("changes").getJsonObject(0).getString("version").equals("v2"));
        assertEquals("v2", config.getString("version"));
        assertEquals("v1", config.getJsonArray("changes").getJsonObject(1).getString("version"));
        assertEquals(1, config.getJsonArray("rejections").size());
        JsonObject rateLimits = json("/admin/stats").getJsonObject("rateLimits");
        assertEquals("local", rateLimits.getString("backend"));
        assertFalse(rateLimits.getBoolean("degraded"));
    }
}
