package dev.loomgate.gateway.policy.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.config.EdgeRules;
import dev.loomgate.gateway.config.TrustedProxies;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every key type through the HTTP path, on a real Redis: headers on allowed responses, 429 problem+json. */
class RateLimitProxyTest {
    private static RedisTestServers servers;
    private static TestUpstream upstream;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        servers = RedisTestServers.create();
        RedisTestServers.Server redis = servers.startServer();
        upstream = TestUpstream.start("u1");
        gateway = TestGateway.start("""
                upstreams:
                  - name: backend
                    endpoints: [ %s ]
                routes:
                  - id: by-header
                    upstream: backend
                    match: { path-prefix: /h }
                    rate-limit: { key: header:X-Api-Key, limit: 3, per: 1m }
                  - id: by-ip
                    upstream: backend
                    match: { path-prefix: /ip }
                    rate-limit: { key: client-ip, trusted-hops: 1, limit: 2, per: 1m }
                  - id: by-cookie
                    upstream: backend
                    match: { path-prefix: /c }
                    rate-limit: { key: "cookie:session", limit: 2, per: 1m }
                  - id: by-path
                    upstream: backend
                    match: { path: "/users/{id}" }
                    rate-limit: { key: "path:id", limit: 2, per: 1m }
                  - id: whole-route
                    upstream: backend
                    match: { path-prefix: /r }
                    rate-limit: { key: route, limit: 2, per: 1m }
                  - id: two-bandwidths
                    upstream: backend
                    match: { path-prefix: /m }
                    rate-limit:
                      key: route
                      limits:
                        - { limit: 2, per: 1s }
                        - { limit: 3, per: 1m }
                  - id: free
                    upstream: backend
                    match: { path-prefix: /free }
                """.formatted(upstream.address()),
                // the test client plays the load balancer: X-Forwarded-For counts only from a trusted proxy
                c -> c.toBuilder().redis(RedisSettings.standalone("127.0.0.1", redis.port()))
                        .edge(e -> e.forwarded(new EdgeRules.Forwarded(TrustedProxies.of(List.of("127.0.0.1/32")))))
                        .build());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        servers.close();
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return TestGateway.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Statuses of {@code n} identical requests. */
    private static List<Integer> statuses(int n, String path, String... headers) throws Exception {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(get(path, headers).statusCode());
        }
        return out;
    }

    @Test
    void headerKeyAndHeaders() throws Exception {
        int before = upstream.requestCount();
        List<HttpResponse<String>> alice = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            alice.add(get("/h", "X-Api-Key", "alice"));
        }
        assertEquals(List.of(200, 200, 200, 429), alice.stream().map(HttpResponse::statusCode).toList());
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = alice.get(i);
            assertEquals(Optional.of("3"), r.headers().firstValue("RateLimit-Limit"));
            assertEquals(Optional.of(Integer.toString(2 - i)), r.headers().firstValue("RateLimit-Remaining"));
            long reset = Long.parseLong(r.headers().firstValue("RateLimit-Reset").orElseThrow());
            assertTrue(reset >= 1 && reset <= 60, "reset " + reset);
            assertFalse(r.headers().firstValue("Retry-After").isPresent());
        }
        HttpResponse<String> limited = alice.get(3);
        assertEquals(3, upstream.requestCount() - before, "the limited request never reached the upstream");
        assertEquals(Optional.of("application/problem+json"), limited.headers().firstValue("Content-Type"));
        long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 20, "one token per 20 s: retry after " + retryAfter);
        assertEquals(Optional.of("0"), limited.headers().firstValue("RateLimit-Remaining"));
        JsonObject body = Json.createReader(new StringReader(limited.body())).readObject();
        assertEquals("https://loomgate.dev/problems/rate-limited", body.getString("type"));
        assertEquals(429, body.getInt("status"));
        assertEquals("/h", body.getString("instance"));
        assertTrue(body.getString("detail").contains("by-header"), body.toString());
        assertFalse(body.getString("requestId").isEmpty());

        assertEquals(List.of(200, 200, 200, 429), statuses(4, "/h", "X-Api-Key", "bob"), "bob has his own bucket");
        assertEquals(List.of(200, 200, 200, 429), statuses(4, "/h"), "no key: one shared anonymous bucket");
        assertEquals(List.of(429), statuses(1, "/h", "X-Other", "x"), "still anonymous");
    }

    @Test
    void clientIpKeyUsesTrustedHop() throws Exception {
        // one trusted proxy: the rightmost X-Forwarded-For entry is the client; entries left of it are forgeable
        assertEquals(List.of(200, 200), statuses(2, "/ip", "X-Forwarded-For", "1.1.1.1, 10.0.0.7"));
        assertEquals(List.of(429), statuses(1, "/ip", "X-Forwarded-For", "2.2.2.2, 10.0.0.7"), "forged entry ignored");
        assertEquals(List.of(200, 200, 429), statuses(3, "/ip", "X-Forwarded-For", "10.0.0.8"));
        assertEquals(List.of(200, 200, 429), statuses(3, "/ip"), "no header: the TCP peer");
    }

    @Test
    void clientIpKeyIgnoresForwardedForFromAPeerThatIsNotATrustedProxy() throws Exception {
        try (TestGateway direct = TestGateway.start("""
                upstreams:
                  - name: backend
                    endpoints: [ %s ]
                routes:
                  - id: by-ip
                    upstream: backend
                    match: { path-prefix: /ip }
                    rate-limit: { key: client-ip, trusted-hops: 1, limit: 2, per: 1m }
                """.formatted(upstream.address()))) {
            // a client that writes its own X-Forwarded-For must not get a fresh bucket per forged address
            List<Integer> seen = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                HttpRequest forged = HttpRequest.newBuilder(direct.uri("/ip")).timeout(Duration.ofSeconds(20))
                        .header("X-Forwarded-For", "198.51.100." + i).build();
                seen.add(TestGateway.http().send(forged, HttpResponse.BodyHandlers.ofString()).statusCode());
            }
            assertEquals(List.of(200, 200, 429), seen);
        }
    }

    @Test
    void cookieKey() throws Exception {
        assertEquals(List.of(200, 200, 429), statuses(3, "/c", "Cookie", "theme=dark; session=s1"));
        assertEquals(List.of(200, 200, 429), statuses(3, "/c", "Cookie", "session=s2"));
    }

    @Test
    void pathVariableKey() throws Exception {
        assertEquals(List.of(200, 200, 429), statuses(3, "/users/42"));
        assertEquals(List.of(200, 200, 429), statuses(3, "/users/43"));
    }

    @Test
    void routeKeySharedByAllClients() throws Exception {
        assertEquals(200, get("/r", "X-Forwarded-For", "10.1.1.1", "X-Api-Key", "a").statusCode());
        assertEquals(200, get("/r", "X-Forwarded-For", "10.1.1.2", "X-Api-Key", "b").statusCode());
        assertEquals(429, get("/r", "X-Forwarded-For", "10.1.1.3", "X-Api-Key", "c").statusCode());
    }

    @Test
    void everyBandwidthMustHaveAToken() throws Exception {
        assertEquals(List.of(200, 200, 429), statuses(3, "/m"), "2/s bites first");
        HttpResponse<String> r = get("/m");
        assertEquals(429, r.statusCode());
        Thread.sleep(1_100); // the 2/s bandwidth refills with time: the wait is what is tested
        assertEquals(200, get("/m").statusCode(), "2/s refilled");
        HttpResponse<String> third = get("/m");
        assertEquals(429, third.statusCode(), "3/min exhausted although 2/s has a token");
        long retry = Long.parseLong(third.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retry >= 10, "the per-minute bandwidth decides Retry-After: " + retry);
    }

    @Test
    void unlimitedRouteHasNoHeadersAndMetricsCount() throws Exception {
        HttpResponse<String> r = get("/free");
        assertEquals(200, r.statusCode());
        assertFalse(r.headers().firstValue("RateLimit-Limit").isPresent());

        statuses(3, "/users/7");
        String metrics = gateway.admin("/metrics").body();
        assertTrue(metrics.contains(
                "loomgate_ratelimit_decisions_total{route=\"by-path\",policy=\"by-path\",result=\"limited\"}"), metrics);
        assertTrue(metrics.contains("loomgate_proxy_errors_total{type=\"rate-limited\"}"), metrics);
        assertTrue(metrics.contains("loomgate_ratelimit_degraded 0"), metrics);
        assertTrue(metrics.contains("loomgate_ratelimit_redis_configured 1"), metrics);
        assertTrue(metrics.contains("loomgate_ratelimit_redis_duration_seconds_count"), metrics);
        assertFalse(metrics.contains("loomgate_ratelimit_redis_duration_seconds_count 0\n"), metrics);
    }
}
