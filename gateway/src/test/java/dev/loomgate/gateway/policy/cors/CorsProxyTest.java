package dev.loomgate.gateway.policy.cors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code cors} through a real gateway: preflights never reach the upstream; every answer gets the headers. */
class CorsProxyTest {
    private static final String APP = "https://app.example.com";
    private static TestUpstream upstream;
    /** Answers with CORS headers of its own, as an upstream that once did CORS itself would. */
    private static TestUpstream corsUpstream;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        upstream = TestUpstream.start("u1");
        corsUpstream = TestUpstream.start("u2").behave(Behaviors.withHeaders(
                "Access-Control-Allow-Origin: *", "Access-Control-Expose-Headers: X-Secret", "Vary: Accept-Encoding"));
        gateway = TestGateway.start("""
                upstreams:
                  - name: backend
                    endpoints: [ %s ]
                  - name: self-cors
                    endpoints: [ %s ]
                routes:
                  - id: app
                    upstream: backend
                    match: { path-prefix: /app }
                    cors:
                      allow-origins: [https://app.example.com, "https://*.example.org"]
                      allow-methods: [GET, PUT]
                      allow-headers: [Content-Type, X-Api-Key]
                      expose-headers: [X-Request-Id]
                      allow-credentials: true
                      max-age: 10m
                    rate-limit: { key: "header:X-Api-Key", limit: 2, per: 1m }
                  - id: public
                    upstream: backend
                    match: { path-prefix: /public }
                    cors: { allow-origins: ["*"] }
                  - id: theirs
                    upstream: self-cors
                    match: { path-prefix: /theirs }
                    cors: { allow-origins: [https://app.example.com] }
                """.formatted(upstream.address(), corsUpstream.address()));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (corsUpstream != null) {
            corsUpstream.close();
        }
    }

    private static HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return TestGateway.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Optional<String> header(HttpResponse<?> r, String name) {
        List<String> all = r.headers().allValues(name);
        assertTrue(all.size() <= 1, name + " must appear at most once: " + all);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.getFirst());
    }

    private static List<String> vary(HttpResponse<?> r) {
        return r.headers().allValues("Vary").stream().flatMap(v -> List.of(v.split(",")).stream()).map(String::strip).toList();
    }

    private static void assertNoCorsHeaders(HttpResponse<?> r) {
        for (String name : List.of("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials",
                "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Expose-Headers",
                "Access-Control-Max-Age")) {
            assertEquals(Optional.empty(), header(r, name), name);
        }
    }

    @Test
    void allowedPreflightIsAnsweredWithoutReachingTheUpstream() throws Exception {
        int before = upstream.requestCount();
        HttpResponse<String> r = send("OPTIONS", "/app/items/1", "Origin", APP,
                "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type,x-api-key");
        assertEquals(204, r.statusCode());
        assertEquals("", r.body());
        assertEquals(Optional.of(APP), header(r, "Access-Control-Allow-Origin"));
        assertEquals(Optional.of("true"), header(r, "Access-Control-Allow-Credentials"));
        assertEquals(Optional.of("GET, PUT"), header(r, "Access-Control-Allow-Methods"));
        assertEquals(Optional.of("Content-Type, X-Api-Key"), header(r, "Access-Control-Allow-Headers"));
        assertEquals(Optional.of("600"), header(r, "Access-Control-Max-Age"));
        assertTrue(vary(r).containsAll(List.of("Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers")),
                vary(r).toString());
        assertEquals(before, upstream.requestCount(), "a preflight is the gateway's to answer");
        // a rate-limited route still answers preflights: they carry no API key and come before the limit
        for (int i = 0; i < 3; i++) {
            assertEquals(204, send("OPTIONS", "/app/x", "Origin", APP, "Access-Control-Request-Method", "GET").statusCode());
        }
    }

    @Test
    void disallowedPreflightIsRefusedAndNeverForwarded() throws Exception {
        int before = upstream.requestCount();
        HttpResponse<String> origin = send("OPTIONS", "/app/x", "Origin", "https://evil.test",
                "Access-Control-Request-Method", "GET");
        assertEquals(403, origin.statusCode());
        assertEquals(Optional.of("application/problem+json"), header(origin, "Content-Type"));
        assertNoCorsHeaders(origin);
        JsonObject body = Json.createReader(new StringReader(origin.body())).readObject();
        assertEquals("https://loomgate.dev/problems/forbidden", body.getString("type"));
        assertEquals("CORS preflight refused: origin is not allowed", body.getString("detail"));

        HttpResponse<String> method = send("OPTIONS", "/app/x", "Origin", APP, "Access-Control-Request-Method", "DELETE");
        assertEquals(403, method.statusCode());
        assertNoCorsHeaders(method);
        HttpResponse<String> headers = send("OPTIONS", "/app/x", "Origin", APP, "Access-Control-Request-Method", "GET",
                "Access-Control-Request-Headers", "x-secret-token");
        assertEquals(403, headers.statusCode());
        assertEquals(before, upstream.requestCount(), "no refused preflight reached the upstream");
    }

    @Test
    void optionsWithoutRequestMethodIsNoPreflightAndIsForwarded() throws Exception {
        int before = upstream.requestCount();
        HttpResponse<String> r = send("OPTIONS", "/app/x", "Origin", APP);
        assertEquals(200, r.statusCode());
        assertEquals(before + 1, upstream.requestCount());
        assertEquals("OPTIONS", upstream.received().getLast().method());
        assertEquals(Optional.of(APP), header(r, "Access-Control-Allow-Origin"), "an actual request from an allowed origin");
    }

    @Test
    void actualRequestFromAnAllowedOriginGetsTheHeaders() throws Exception {
        String origin = "https://shop.eu.example.org";
        HttpResponse<String> r = send("GET", "/app/items", "Origin", origin, "X-Api-Key", "actual");
        assertEquals(200, r.statusCode());
        assertEquals("u1", header(r, "X-Served-By").orElseThrow());
        assertEquals(Optional.of(origin), header(r, "Access-Control-Allow-Origin"), "the origin itself, never *");
        assertEquals(Optional.of("true"), header(r, "Access-Control-Allow-Credentials"));
        assertEquals(Optional.of("X-Request-Id"), header(r, "Access-Control-Expose-Headers"));
        assertEquals(Optional.empty(), header(r, "Access-Control-Allow-Methods"), "preflight-only headers stay off");
        assertTrue(vary(r).contains("Origin"), vary(r).toString());
        assertEquals(origin, upstream.received().getLast().header("Origin"), "the request itself goes on untouched");
    }

    @Test
    void disallowedOriginGetsTheResponseButNoCorsHeaders() throws Exception {
        int before = upstream.requestCount();
        HttpResponse<String> r = send("GET", "/app/items", "Origin", "https://app.example.com.evil.test",
                "X-Api-Key", "disallowed");
        assertEquals(200, r.statusCode(), "the browser, not the gateway, withholds the response from the page");
        assertEquals(before + 1, upstream.requestCount());
        assertNoCorsHeaders(r);
        assertTrue(vary(r).contains("Origin"));
    }

    @Test
    void requestWithoutOriginPassesWithoutCorsHeaders() throws Exception {
        HttpResponse<String> r = send("GET", "/app/items", "X-Api-Key", "no-origin");
        assertEquals(200, r.statusCode());
        assertNoCorsHeaders(r);
        assertTrue(vary(r).contains("Origin"), "caches must not serve this copy to a cross-origin reader");
        assertEquals(null, upstream.received().getLast().header("Origin"));
    }

    @Test
    void rateLimitedAnswerCarriesCorsHeadersSoThePageCanReadIt() throws Exception {
        HttpResponse<String> last = null;
        for (int i = 0; i < 3; i++) {
            last = send("GET", "/app/items", "Origin", APP, "X-Api-Key", "limited");
        }
        assertEquals(429, last.statusCode());
        assertEquals(Optional.of(APP), header(last, "Access-Control-Allow-Origin"));
        assertEquals(Optional.of("true"), header(last, "Access-Control-Allow-Credentials"));
        assertTrue(header(last, "Retry-After").isPresent());
        assertTrue(vary(last).contains("Origin"));
    }

    @Test
    void wildcardPolicyAnswersStarWithoutCredentials() throws Exception {
        HttpResponse<String> actual = send("GET", "/public/doc", "Origin", "https://anyone.test");
        assertEquals(Optional.of("*"), header(actual, "Access-Control-Allow-Origin"));
        assertEquals(Optional.empty(), header(actual, "Access-Control-Allow-Credentials"));
        assertFalse(vary(actual).contains("Origin"), "the answer does not depend on Origin");
        HttpResponse<String> preflight = send("OPTIONS", "/public/doc", "Origin", "https://anyone.test",
                "Access-Control-Request-Method", "POST");
        assertEquals(204, preflight.statusCode());
        assertEquals(Optional.of("*"), header(preflight, "Access-Control-Allow-Origin"));
        assertEquals(Optional.of("GET, HEAD, POST"), header(preflight, "Access-Control-Allow-Methods"));
    }

    @Test
    void theRoutesCorsReplacesTheUpstreams() throws Exception {
        HttpResponse<String> allowed = send("GET", "/theirs", "Origin", APP);
        assertEquals(Optional.of(APP), header(allowed, "Access-Control-Allow-Origin"), "one value, the gateway's");
        assertEquals(Optional.empty(), header(allowed, "Access-Control-Expose-Headers"));
        assertEquals(List.of("Accept-Encoding", "Origin"), vary(allowed), "the upstream's Vary is kept and extended");

        HttpResponse<String> other = send("GET", "/theirs", "Origin", "https://evil.test");
        assertEquals(200, other.statusCode());
        assertNoCorsHeaders(other);
    }
}
