package dev.loomgate.gateway.proxy;

import dev.loomgate.gateway.config.EdgeRules;
import dev.loomgate.gateway.testing.RawHttp;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The proxy routes and forwards the normalized path; a path that cannot be normalized is a 400. */
class PathNormalizationTest {
    private TestUpstream api;
    private TestUpstream other;
    private TestGateway gateway;

    private static final String ROUTES = """
            upstreams:
              - name: api
                endpoints: [ %s ]
              - name: other
                endpoints: [ %s ]
            routes:
              - id: users
                upstream: api
                match: { path: "/users/{id}" }
              - id: api
                upstream: api
                match: { path-prefix: /api }
                rewrite: { strip-prefix: true }
              - id: rest
                upstream: other
                match: { path-prefix: / }
            """;

    @BeforeEach
    void setUp() throws Exception {
        api = TestUpstream.start("api");
        other = TestUpstream.start("other");
        gateway = TestGateway.start(ROUTES.formatted(api.address(), other.address()));
    }

    @AfterEach
    void tearDown() {
        gateway.close();
        api.close();
        other.close();
    }

    private RawHttp.Response get(TestGateway g, String target) throws Exception {
        return RawHttp.exchange(g.port(), "GET " + target + " HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
    }

    private String lastTarget(TestUpstream u) {
        return u.received().getLast().target();
    }

    @Test
    void dotSegmentsAreRemovedBeforeRoutingAndForwarding() throws Exception {
        assertEquals(200, get(gateway, "/api/../x").status());
        assertEquals("/x", lastTarget(other), "/api/../x is /x: not the api route");
        assertEquals(200, get(gateway, "/api/%2e%2e/secret?q=1").status());
        assertEquals("/secret?q=1", lastTarget(other));
        assertEquals(0, api.requestCount());
        assertEquals(200, get(gateway, "/x/%2E%2E/api/./v1/%7Eme").status());
        assertEquals("/v1/~me", lastTarget(api), "routed as /api/v1/~me, prefix stripped");
    }

    @Test
    void templateNeverCapturesDotSegments() throws Exception {
        assertEquals(200, get(gateway, "/users/..").status());
        assertEquals("/", lastTarget(other), "/users/.. is /: the catch-all route");
        assertEquals(200, get(gateway, "/users/%2e").status());
        assertEquals("/users/", lastTarget(other));
        assertEquals(0, api.requestCount());
        assertEquals(200, get(gateway, "/users/7").status());
        assertEquals("/users/7", lastTarget(api));
    }

    @Test
    void encodedSlashStaysEncodedAndHexIsUppercased() throws Exception {
        assertEquals(200, get(gateway, "/api/a%2fb/%c3%bc").status());
        assertEquals("/a%2Fb/%C3%BC", lastTarget(api));
    }

    @Test
    void slashesAreMergedByDefault() throws Exception {
        assertEquals(200, get(gateway, "//api//v1").status());
        assertEquals("/v1", lastTarget(api), "//api is the api route, not a way around it");
    }

    @Test
    void slashesAreKeptWhenConfigured() throws Exception {
        try (TestGateway keep = TestGateway.start(ROUTES.formatted(api.address(), other.address()),
                c -> c.toBuilder().edge(e -> e.paths(new EdgeRules.Paths(false))).build())) {
            assertEquals(200, get(keep, "/api//v1").status());
            assertEquals("//v1", lastTarget(api));
        }
    }

    @Test
    void badPathsAre400ProblemsAndNeverForwarded() throws Exception {
        for (String target : new String[] {"/a%zz", "/a%4", "/..", "/api/../../etc/passwd", "/a%", "/a|b", "/a\"b"}) {
            RawHttp.Response r = get(gateway, target);
            assertEquals(400, r.status(), target);
            assertTrue(r.text().contains("\"status\":400"), r.text());
            assertTrue(r.header("Content-Type").startsWith("application/problem+json"), target);
        }
        assertEquals(0, api.requestCount() + other.requestCount(), "nothing reached an upstream");
    }
}
