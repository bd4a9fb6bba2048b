package dev.loomgate.gateway.proxy;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.RawHttp;
import dev.loomgate.gateway.testing.RefusingPort;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every error the gateway answers itself is problem+json with a stable type and the request id. */
class ProxyErrorsTest {
    private TestUpstream upstream;
    private TestGateway gateway;
    private RefusingPort deadPort;

    @BeforeEach
    void setUp() throws Exception {
        upstream = TestUpstream.start("u1");
        deadPort = RefusingPort.open();
        gateway = TestGateway.start("""
                upstreams:
                  - name: backend
                    endpoints: [ %s ]
                  - name: dead
                    endpoints: [ 127.0.0.1:%d ]
                routes:
                  - id: dead
                    upstream: dead
                    match: { path-prefix: /dead }
                  - id: api
                    upstream: backend
                    match: { path-prefix: /api, methods: [GET, POST, PUT] }
                """.formatted(upstream.address(), deadPort.port()),
                c -> c.toBuilder().limits(l -> l.maxBodySize(1_000_000).maxHeaderSize(4096))
                        .upstream(u -> u.responseTimeout(Duration.ofMillis(400))
                                .connectTimeout(Duration.ofMillis(300)).maxConnectionsPerEndpoint(1)).build());
    }

    @AfterEach
    void tearDown() {
        gateway.close();
        upstream.close();
        deadPort.close();
    }

    private static JsonObject problem(RawHttp.Response r) {
        assertEquals("application/problem+json", r.header("content-type"), "content type of " + r.status());
        return Json.createReader(new java.io.StringReader(r.text())).readObject();
    }

    private static void assertProblem(RawHttp.Response r, int status, String slug) {
        assertEquals(status, r.status(), r.text());
        JsonObject p = problem(r);
        assertEquals("https://loomgate.dev/problems/" + slug, p.getString("type"));
        assertEquals(status, p.getInt("status"));
        assertTrue(!p.getString("detail").isBlank());
        assertTrue(p.getString("requestId").length() > 0);
        assertEquals(p.getString("requestId"), r.header("x-request-id"));
    }

    private RawHttp.Response send(String raw) throws Exception {
        return RawHttp.exchange(gateway.port(), raw);
    }

    @Test
    void noRouteIs404() throws Exception {
        assertProblem(send("GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n"), 404, "no-route");
        assertProblem(send("DELETE /api/x HTTP/1.1\r\nHost: a\r\n\r\n"), 404, "no-route");
    }

    @Test
    void refusedConnectionIs502() throws Exception {
        assertProblem(send("GET /dead HTTP/1.1\r\nHost: a\r\n\r\n"), 502, "upstream-unreachable");
    }

    @Test
    void resetBeforeResponseIs502() throws Exception {
        upstream.behave(Behaviors.closeBeforeResponse());
        assertProblem(send("GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n"), 502, "upstream-unreachable");
    }

    @Test
    void invalidUpstreamResponseIs502() throws Exception {
        upstream.behave((req, out) -> {
            out.write("HTTP/1.1 2xx nonsense\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            return false;
        });
        assertProblem(send("GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n"), 502, "bad-gateway");
    }

    @Test
    void hangingUpstreamIs504() throws Exception {
        upstream.behave(Behaviors.hang());
        assertProblem(send("GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n"), 504, "upstream-timeout");
    }

    /** A node in front of the slow upstream, with one limit squeezed to a single slot. */
    private TestGateway squeezed(java.util.function.UnaryOperator<dev.loomgate.gateway.config.NodeConfig> limit)
            throws Exception {
        upstream.behave(Behaviors.slow(1500, "u1"));
        return TestGateway.start("""
                upstreams:
                  - name: backend
                    endpoints: [ %s ]
                routes:
                  - id: api
                    upstream: backend
                """.formatted(upstream.address()), limit);
    }

    /** Sends one slow request that holds the only slot; the second request must be refused at once. */
    private RawHttp.Response secondWhileFirstIsBusy(TestGateway gw) throws Exception {
        int before = upstream.requestCount();
        Thread busy = Thread.ofVirtual().start(() -> {
            try {
                RawHttp.exchange(gw.port(), "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
            } catch (Exception ignored) {
                // only here to occupy the single slot
            }
        });
        upstream.awaitReceived(before + 1); // the slow request is at the upstream: it holds the slot
        RawHttp.Response r = RawHttp.exchange(gw.port(), "GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
        busy.join();
        return r;
    }

    @Test
    void exhaustedConnectionLimitIs503() throws Exception {
        try (TestGateway small = squeezed(c -> c.toBuilder().upstream(u -> u.maxConnectionsPerEndpoint(1)
                .connectTimeout(Duration.ofMillis(200))).build())) {
            assertProblem(secondWhileFirstIsBusy(small), 503, "upstream-busy");
        }
    }

    @Test
    void concurrencyLimitIs503Overloaded() throws Exception {
        try (TestGateway one = squeezed(c -> c.toBuilder().limits(l -> l.maxConcurrentRequests(1)).build())) {
            RawHttp.Response r = secondWhileFirstIsBusy(one);
            assertEquals(503, r.status(), r.text());
            assertEquals("https://loomgate.dev/problems/overloaded", problem(r).getString("type"));
        }
    }

    @Test
    void oversizedBodyIs413AndNeverForwarded() throws Exception {
        assertProblem(send("POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 2000000\r\n\r\n"), 413, "payload-too-large");
        // chunked: the limit is found while streaming
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        req.write("POST /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        byte[] chunk = new byte[100_000];
        for (int i = 0; i < 15; i++) {
            req.write("186a0\r\n".getBytes(StandardCharsets.ISO_8859_1));
            req.write(chunk);
            req.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        req.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        RawHttp.Response r = RawHttp.exchangeWhileSending(gateway.port(), req.toByteArray());
        assertProblem(r, 413, "payload-too-large");
        assertEquals(0, upstream.received().stream().filter(x -> x.bodyBytes() >= 1_500_000).count(),
                "an oversized body must not reach the upstream in full");
    }

    @Test
    void oversizedHeadersAre431() throws Exception {
        String big = "x".repeat(6000);
        assertProblem(send("GET /api/x HTTP/1.1\r\nHost: a\r\nX-Big: " + big + "\r\n\r\n"), 431, "header-fields-too-large");
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void malformedRequestLineIs400() throws Exception {
        assertProblem(send("GARBAGE\r\n\r\n"), 400, "bad-request");
        // an unsupported version is 505 (RFC 9110 §15.6.6); Helidon answered 400 with "status":400
        assertProblem(send("GET /api/x HTTP/7.7\r\nHost: a\r\n\r\n"), 505, "http-version-not-supported");
        assertProblem(send("GET /api/\u0001x HTTP/1.1\r\nHost: a\r\n\r\n"), 400, "bad-request");
        assertProblem(send("GET /api/x HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n"), 400, "bad-request");
        assertProblem(send("GET /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n"), 400, "bad-request");
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void contentLengthWithTransferEncodingIsRejected() throws Exception {
        RawHttp.Response r = send("POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n");
        assertEquals(400, r.status());
        assertEquals(0, upstream.requestCount(), "a smuggling attempt is never forwarded");
    }

    @Test
    void javaClientSeesProblemJson() throws Exception {
        HttpResponse<String> r = TestGateway.http().send(HttpRequest.newBuilder(gateway.uri("/nowhere")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, r.statusCode());
        assertTrue(r.body().contains("\"type\":\"https://loomgate.dev/problems/no-route\""));
    }
}
