package dev.loomgate.gateway.proxy;

import java.util.List;

import dev.loomgate.gateway.config.EdgeRules;
import dev.loomgate.gateway.config.TrustedProxies;
import dev.loomgate.gateway.testing.RawHttp;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Forwarded headers through a real node: replaced from an untrusted peer, kept from a trusted proxy. */
class ForwardedTrustTest {
    private static final String ROUTES = """
            upstreams:
              - name: u
                endpoints: [ %s ]
            routes:
              - id: all
                upstream: u
                rate-limit: { key: client-ip, limit: 1, per: 1m }
            """;
    private TestUpstream upstream;

    @BeforeEach
    void setUp() throws Exception {
        upstream = TestUpstream.start("u");
    }

    @AfterEach
    void tearDown() {
        upstream.close();
    }

    private static RawHttp.Response send(TestGateway g, String path, String xff) throws Exception {
        return RawHttp.exchange(g.port(), "GET " + path + " HTTP/1.1\r\nHost: api.example.com\r\n"
                + "X-Forwarded-For: " + xff + "\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example\r\n"
                + "X-Forwarded-Port: 443\r\nForwarded: for=" + xff + "\r\nX-Forwarded-Prefix: /evil\r\n"
                + "X-Real-IP: " + xff + "\r\nConnection: close\r\n\r\n");
    }

    @Test
    void untrustedPeerCannotSpoofForwardedHeadersOrItsRateLimitKey() throws Exception {
        try (TestGateway g = TestGateway.start(ROUTES.formatted(upstream.address()))) {
            assertEquals(200, send(g, "/a", "203.0.113.1").status());
            var got = upstream.received().getLast();
            assertEquals("127.0.0.1", got.header("x-forwarded-for"));
            assertEquals("http", got.header("x-forwarded-proto"));
            assertEquals("api.example.com", got.header("x-forwarded-host"));
            assertEquals(String.valueOf(g.port()), got.header("x-forwarded-port"));
            assertEquals("for=127.0.0.1;proto=http;host=\"api.example.com\"", got.header("forwarded"));
            assertNull(got.header("x-forwarded-prefix"));
            assertNull(got.header("x-real-ip"));
            // a new X-Forwarded-For does not buy a new rate-limit bucket: the key is the peer
            assertEquals(429, send(g, "/a", "203.0.113.2").status());
        }
    }

    @Test
    void trustedProxyHeadersAreKeptAndTheClientIpComesFromThem() throws Exception {
        try (TestGateway g = TestGateway.start(ROUTES.formatted(upstream.address()), c -> c.toBuilder()
                .edge(e -> e.forwarded(new EdgeRules.Forwarded(TrustedProxies.of(List.of("127.0.0.1/32"))))).build())) {
            assertEquals(200, send(g, "/a", "203.0.113.1").status());
            var got = upstream.received().getLast();
            assertEquals("203.0.113.1, 127.0.0.1", got.header("x-forwarded-for"));
            assertEquals("https", got.header("x-forwarded-proto"));
            assertEquals("evil.example", got.header("x-forwarded-host"));
            assertEquals("443", got.header("x-forwarded-port"));
            assertEquals("for=203.0.113.1, for=127.0.0.1;proto=http;host=\"api.example.com\"", got.header("forwarded"));
            assertEquals("/evil", got.header("x-forwarded-prefix"));
            // the client behind the LB is the rate-limit key: another client has its own bucket
            assertEquals(200, send(g, "/a", "203.0.113.2").status());
            assertEquals(429, send(g, "/a", "203.0.113.2").status());
        }
    }
}
