package dev.loomgate.gateway.proxy;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.RawHttp;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProxyForwardingTest {
    private TestUpstream upstream;
    private TestGateway gateway;

    @BeforeEach
    void setUp() throws Exception {
        upstream = TestUpstream.start("u1");
        gateway = TestGateway.start("""
                upstreams:
                  - name: backend
                    endpoints: [ %s ]
                routes:
                  - id: api
                    upstream: backend
                    match: { path-prefix: /api }
                    rewrite: { strip-prefix: true }
                    request-headers: { set: { X-Route: api }, remove: [ X-Secret ] }
                    response-headers: { add: { X-Gateway: loomgate }, remove: [ X-Internal ] }
                  - id: all
                    upstream: backend
                    match: { path-prefix: / }
                """.formatted(upstream.address()));
    }

    @AfterEach
    void tearDown() {
        gateway.close();
        upstream.close();
    }

    @Test
    void forwardsWithRewriteHeaderOpsAndForwardedHeaders() throws Exception {
        HttpResponse<String> r = TestGateway.http().send(HttpRequest.newBuilder(gateway.uri("/api/users/7?x=1"))
                .header("X-Secret", "s").header("X-Forwarded-For", "203.0.113.9").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("u1 GET /users/7?x=1", r.body());
        TestUpstream.Received got = upstream.awaitReceived(1).getFirst();
        assertEquals("api", got.header("x-route"));
        assertNull(got.header("x-secret"));
        assertEquals("127.0.0.1", got.header("x-forwarded-for"), "an untrusted peer's X-Forwarded-For is replaced");
        assertEquals("http", got.header("x-forwarded-proto"));
        assertEquals("127.0.0.1:" + gateway.port(), got.header("x-forwarded-host"));
        assertEquals(String.valueOf(gateway.port()), got.header("x-forwarded-port"));
        assertEquals("127.0.0.1:" + gateway.port(), got.header("host"), "Host is preserved");
        String id = r.headers().firstValue("X-Request-Id").orElseThrow();
        assertEquals(32, id.length());
        assertEquals(id, got.header("x-request-id"));
        assertEquals("loomgate", r.headers().firstValue("X-Gateway").orElseThrow());
        assertEquals("test-node", r.headers().firstValue("X-Loomgate-Node").orElseThrow());
    }

    @Test
    void keepsAWellFormedIncomingRequestId() throws Exception {
        HttpResponse<String> r = TestGateway.http().send(HttpRequest.newBuilder(gateway.uri("/x"))
                .header("X-Request-Id", "abc-123").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("abc-123", r.headers().firstValue("X-Request-Id").orElseThrow());
        assertEquals("abc-123", upstream.awaitReceived(1).getFirst().header("x-request-id"));
    }

    @Test
    void stripsHopByHopHeadersBothWays() throws Exception {
        upstream.behave(Behaviors.withHeaders("Connection: X-Up-Hop", "X-Up-Hop: 1", "Keep-Alive: timeout=5",
                "Proxy-Authenticate: Basic", "X-Internal: secret", "X-Kept: yes", "Upgrade: h2c"));
        RawHttp.Response r = RawHttp.exchange(gateway.port(), """
                GET /api/x HTTP/1.1\r
                Host: a.test\r
                Connection: keep-alive, X-Hop\r
                X-Hop: 1\r
                Keep-Alive: timeout=5\r
                TE: trailers\r
                Upgrade: websocket\r
                Proxy-Authorization: Basic Zm9v\r
                Proxy-Connection: keep-alive\r
                X-End-To-End: 1\r
                \r
                """);
        assertEquals(200, r.status());
        TestUpstream.Received got = upstream.awaitReceived(1).getFirst();
        for (String h : new String[] {"x-hop", "keep-alive", "te", "upgrade", "proxy-authorization", "proxy-connection"}) {
            assertNull(got.header(h), h + " must not be forwarded");
        }
        assertTrue(got.header("connection") == null, "Connection is hop-by-hop");
        assertEquals("1", got.header("x-end-to-end"));
        for (String h : new String[] {"x-up-hop", "keep-alive", "proxy-authenticate", "upgrade", "x-internal"}) {
            assertNull(r.header(h), h + " must not reach the client");
        }
        assertEquals("yes", r.header("x-kept"));
        assertEquals("loomgate", r.header("x-gateway"));
    }

    @Test
    void poolsUpstreamConnectionsWithoutChurn() throws Exception {
        for (int i = 0; i < 300; i++) {
            assertEquals(200, gateway.get("/n/" + i).statusCode());
        }
        assertTrue(upstream.connectionsAccepted() <= 2, "connections: " + upstream.connectionsAccepted());
    }

    @Test
    void relaysHeadAndNoContent() throws Exception {
        RawHttp.Response head = RawHttp.exchange(gateway.port(),
                "HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), true);
        assertEquals(200, head.status());
        assertEquals(0, head.body().length);
        upstream.behave(Behaviors.status(204, "u1"));
        assertEquals(204, gateway.get("/x").statusCode());
    }

    @Test
    void exposesMetricsAndHealth() throws Exception {
        gateway.get("/api/a");
        gateway.get("/nope/b");
        HttpResponse<String> m = gateway.admin("/metrics");
        assertEquals(200, m.statusCode());
        assertTrue(m.body().contains("loomgate_route_requests_total{route=\"api\",code=\"2xx\"} 1"), m.body());
        assertTrue(m.body().contains("loomgate_upstream_request_duration_seconds_bucket{upstream=\"backend\""), m.body());
        assertEquals(200, gateway.admin("/health/live").statusCode());
        assertEquals(200, gateway.admin("/health/ready").statusCode());
        assertNotNull(m.headers().firstValue("Content-Type").orElse(null));
    }

    @Test
    void slowUpstreamWithinTimeoutIsFine() throws Exception {
        upstream.behave(Behaviors.slow(300, "u1"));
        HttpResponse<String> r = TestGateway.http().send(HttpRequest.newBuilder(gateway.uri("/s"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
    }
}
