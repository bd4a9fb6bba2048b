package dev.loomgate.gateway.policy.ipaccess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.loomgate.gateway.config.EdgeRules;
import dev.loomgate.gateway.config.TrustedProxies;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code ip-access} through a real gateway: refusals never reach the upstream; the trusted client address decides. */
class IpAccessProxyTest {
    private static TestUpstream upstream;
    /** The test client connects from 127.0.0.1, which this gateway trusts as a proxy (it plays the LB). */
    private static TestGateway behindLb;

    private static final String ROUTES = """
            upstreams:
              - name: backend
                endpoints: [ %s ]
            routes:
              - id: office
                upstream: backend
                match: { path-prefix: /office }
                ip-access:
                  allow: [10.0.0.0/8, 192.168.1.7]
                  deny: [10.1.2.0/24]
              - id: not-loopback
                upstream: backend
                match: { path-prefix: /no-loopback }
                ip-access: { deny: [127.0.0.0/8, "::1"] }
              - id: open
                upstream: backend
                match: { path-prefix: /open }
            """;

    @BeforeAll
    static void start() throws Exception {
        upstream = TestUpstream.start("u1");
        behindLb = TestGateway.start(ROUTES.formatted(upstream.address()),
                c -> c.toBuilder().edge(e -> e.forwarded(new EdgeRules.Forwarded(TrustedProxies.of(List.of("127.0.0.1/32")))))
                        .build());
    }

    @AfterAll
    static void stop() {
        if (behindLb != null) {
            behindLb.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private static HttpResponse<String> get(TestGateway gateway, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return TestGateway.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Status of a request, and whether it reached the upstream. */
    private static String outcome(TestGateway gateway, String path, String... headers) throws Exception {
        int before = upstream.requestCount();
        int status = get(gateway, path, headers).statusCode();
        return status + (upstream.requestCount() > before ? " upstream" : " gateway");
    }

    @Test
    void forwardedForFromATrustedProxyDecides() throws Exception {
        assertEquals("200 upstream", outcome(behindLb, "/office", "X-Forwarded-For", "10.9.9.9"));
        assertEquals("200 upstream", outcome(behindLb, "/office", "X-Forwarded-For", "192.168.1.7"));
        assertEquals("403 gateway", outcome(behindLb, "/office", "X-Forwarded-For", "10.1.2.3"), "deny wins");
        assertEquals("403 gateway", outcome(behindLb, "/office", "X-Forwarded-For", "192.168.1.8"), "not allowed");
        assertEquals("403 gateway", outcome(behindLb, "/office"), "no header: the peer 127.0.0.1 is not allowed");
        // the right-most untrusted entry is the client; entries left of it were written by the client
        assertEquals("403 gateway", outcome(behindLb, "/office", "X-Forwarded-For", "10.9.9.9, 203.0.113.5"));
        assertEquals("200 upstream", outcome(behindLb, "/office", "X-Forwarded-For", "203.0.113.5, 10.9.9.9"));
        assertEquals("200 upstream", outcome(behindLb, "/open", "X-Forwarded-For", "10.1.2.3"), "other routes unaffected");
    }

    @Test
    void refusalIsAForbiddenProblemThatDoesNotNameTheRules() throws Exception {
        HttpResponse<String> r = get(behindLb, "/office", "X-Forwarded-For", "10.1.2.3");
        assertEquals(403, r.statusCode());
        assertEquals(Optional.of("application/problem+json"), r.headers().firstValue("Content-Type"));
        JsonObject body = Json.createReader(new StringReader(r.body())).readObject();
        assertEquals("https://loomgate.dev/problems/forbidden", body.getString("type"));
        assertEquals(403, body.getInt("status"));
        assertEquals("/office", body.getString("instance"));
        String detail = body.getString("detail");
        for (String secret : new String[] {"10.1.2", "10.0.0.0", "192.168", "deny", "allow"}) {
            assertFalse(detail.contains(secret), detail);
        }
        String metrics = behindLb.admin("/metrics").body();
        assertTrue(metrics.contains("loomgate_proxy_errors_total{type=\"forbidden\"}"), metrics);
    }

    @Test
    void forgedForwardedForFromAnUntrustedPeerIsIgnored() throws Exception {
        try (TestGateway direct = TestGateway.start(ROUTES.formatted(upstream.address()))) {
            assertEquals("403 gateway", outcome(direct, "/office", "X-Forwarded-For", "10.9.9.9"),
                    "the client's own X-Forwarded-For must not let it in");
            assertEquals("403 gateway", outcome(direct, "/no-loopback", "X-Forwarded-For", "203.0.113.5"),
                    "nor let it out of a deny");
            assertEquals("200 upstream", outcome(direct, "/open", "X-Forwarded-For", "10.1.2.3"));
        }
    }

    @Test
    void defaultFiltersWithOneRouteOptingOut() throws Exception {
        try (TestGateway gateway = TestGateway.start("""
                default-filters:
                  ip-access: { deny: [127.0.0.0/8, "::1"] }
                upstreams:
                  - name: backend
                    endpoints: [ %s ]
                routes:
                  - id: guarded
                    upstream: backend
                    match: { path-prefix: /guarded }
                  - id: health
                    upstream: backend
                    match: { path-prefix: /health }
                    ip-access: off
                """.formatted(upstream.address()))) {
            assertEquals("403 gateway", outcome(gateway, "/guarded"));
            assertEquals("200 upstream", outcome(gateway, "/health"));
        }
    }
}
