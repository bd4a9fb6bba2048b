package dev.loomgate.gateway.route;

import dev.loomgate.gateway.http.RequestView;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Each matcher kind and each rewrite, on single-route tables. */
class RouteMatchingTest {

    private static RouteTable table(Route.Builder... builders) {
        return RouteTable.of(java.util.Arrays.stream(builders).map(Route.Builder::build).toList());
    }

    private static Optional<RouteMatch> match(RouteTable t, RequestView r) {
        return t.match(r);
    }

    private static boolean matches(Route.Builder b, RequestView r) {
        return table(b).match(r).isPresent();
    }

    @Test
    void routeWithoutMatchMatchesEverything() {
        Route.Builder b = Route.builder("all", "u");
        assertTrue(matches(b, TestRequest.get("/")));
        assertTrue(matches(b, TestRequest.get("any.host", "/a/b?c=d").withMethod("DELETE")));
    }

    @Test
    void exactPath() {
        Route.Builder b = Route.builder("r", "u").path(PathPattern.path("/health"));
        assertTrue(matches(b, TestRequest.get("/health")));
        assertTrue(matches(b, TestRequest.get("/health?x=1")));
        assertFalse(matches(b, TestRequest.get("/health/")));
        assertFalse(matches(b, TestRequest.get("/healthz")));
        assertFalse(matches(b, TestRequest.get("/Health")));
        assertEquals(PathPattern.Kind.EXACT, PathPattern.path("/health").kind());
    }

    @Test
    void templateCapturesDecodedSegments() {
        RouteTable t = table(Route.builder("r", "u").path(PathPattern.path("/users/{id}/orders/{order}")));
        RouteMatch m = t.match(TestRequest.get("/users/j%C3%BCrgen/orders/7")).orElseThrow();
        assertEquals(Map.of("id", "jürgen", "order", "7"), m.pathVariables());
        assertEquals("/users/j%C3%BCrgen/orders/7", m.path(), "the matched path stays raw");
        assertTrue(t.match(TestRequest.get("/users/a+b/orders/1")).orElseThrow().pathVariables().get("id").equals("a+b"));
        assertFalse(t.match(TestRequest.get("/users//orders/7")).isPresent(), "a variable needs a non-empty segment");
        assertFalse(t.match(TestRequest.get("/users/1/orders")).isPresent());
        assertFalse(t.match(TestRequest.get("/users/1/orders/7/x")).isPresent());
        assertFalse(t.match(TestRequest.get("/users/1/orders/7/")).isPresent());
        assertFalse(t.match(TestRequest.get("/users/1/order/7")).isPresent());
    }

    @Test
    void templateVariablesNeverMatchDotSegments() {
        RouteTable t = table(Route.builder("r", "u").path(PathPattern.path("/users/{id}")));
        for (String p : new String[] {"/users/..", "/users/.", "/users/%2e%2e", "/users/%2E.", "/users/.%2e",
                "/users/%2e", "/users/"}) {
            assertFalse(t.match(TestRequest.get(p)).isPresent(), p);
        }
        assertEquals("...", t.match(TestRequest.get("/users/...")).orElseThrow().pathVariables().get("id"));
        assertEquals(".x", t.match(TestRequest.get("/users/.x")).orElseThrow().pathVariables().get("id"));
        assertEquals("..x", t.match(TestRequest.get("/users/%2e.x")).orElseThrow().pathVariables().get("id"));
        RouteTable rest = table(Route.builder("r", "u").path(PathPattern.path("/files/{rest...}")));
        for (String p : new String[] {"/files/..", "/files/a/../../etc", "/files/a/%2e%2e/b", "/files/./a"}) {
            assertFalse(rest.match(TestRequest.get(p)).isPresent(), p);
        }
        assertEquals("a/.b/c..", rest.match(TestRequest.get("/files/a/.b/c..")).orElseThrow().pathVariables().get("rest"));
    }

    @Test
    void prefixAndExactRoutesSeeTheNormalizedPath() {
        PathNormalizer n = PathNormalizer.create(true);
        RouteTable t = table(Route.builder("api", "u").path(PathPattern.prefix("/api")),
                Route.builder("exact", "u").path(PathPattern.path("/admin/panel")));
        for (String p : new String[] {"/api/../x", "/api/%2e%2e/x", "/api/%2E%2E", "/api/..", "/api/./../x"}) {
            String normalized = ((PathNormalizer.Normalized) n.normalize(p)).path();
            assertFalse(t.match(TestRequest.get(normalized)).isPresent(), p + " -> " + normalized);
        }
        String viaDots = ((PathNormalizer.Normalized) n.normalize("/x/%2e%2e/admin/./panel")).path();
        assertEquals("exact", t.match(TestRequest.get(viaDots)).orElseThrow().route().id());
        String encoded = ((PathNormalizer.Normalized) n.normalize("/%61pi/users")).path();
        assertEquals("api", t.match(TestRequest.get(encoded)).orElseThrow().route().id(), "%61 is 'a'");
    }

    @Test
    void catchAllMatchesZeroOrMoreSegments() {
        RouteTable t = table(Route.builder("r", "u").path(PathPattern.path("/files/{rest...}")));
        assertEquals("", t.match(TestRequest.get("/files")).orElseThrow().pathVariables().get("rest"));
        assertEquals("", t.match(TestRequest.get("/files/")).orElseThrow().pathVariables().get("rest"));
        assertEquals("a", t.match(TestRequest.get("/files/a")).orElseThrow().pathVariables().get("rest"));
        assertEquals("a/b c/", t.match(TestRequest.get("/files/a/b%20c/")).orElseThrow().pathVariables().get("rest"));
        assertFalse(t.match(TestRequest.get("/filesx/a")).isPresent());
        assertFalse(t.match(TestRequest.get("/")).isPresent());
    }

    @Test
    void badTemplatesAreRejected() {
        assertEquals("must start with '/'",
                assertThrows(IllegalArgumentException.class, () -> PathPattern.path("users/{id}")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> PathPattern.path("/users/{id"));
        assertThrows(IllegalArgumentException.class, () -> PathPattern.path("/users/id}"));
        assertThrows(IllegalArgumentException.class, () -> PathPattern.path("/users/x{id}"));
        assertThrows(IllegalArgumentException.class, () -> PathPattern.path("/users/{}"));
        assertThrows(IllegalArgumentException.class, () -> PathPattern.path("/users/{1a}"));
        assertThrows(IllegalArgumentException.class, () -> PathPattern.path("/{a}/{a}"));
        assertThrows(IllegalArgumentException.class, () -> PathPattern.path("/{rest...}/x"));
    }

    @Test
    void prefixIsSegmentAware() {
        Route.Builder b = Route.builder("r", "u").path(PathPattern.prefix("/users"));
        assertTrue(matches(b, TestRequest.get("/users")));
        assertTrue(matches(b, TestRequest.get("/users/")));
        assertTrue(matches(b, TestRequest.get("/users/1")));
        assertTrue(matches(b, TestRequest.get("/users?x=1")));
        assertFalse(matches(b, TestRequest.get("/usersx")));
        assertFalse(matches(b, TestRequest.get("/user")));
        assertFalse(matches(b, TestRequest.get("/")));
        Route.Builder trailing = Route.builder("r", "u").path(PathPattern.prefix("/users/"));
        assertTrue(matches(trailing, TestRequest.get("/users")), "a trailing slash in the prefix is ignored");
        assertFalse(matches(trailing, TestRequest.get("/usersx")));
        Route.Builder root = Route.builder("r", "u").path(PathPattern.prefix("/"));
        assertTrue(matches(root, TestRequest.get("/")));
        assertTrue(matches(root, TestRequest.get("/anything/at/all")));
    }

    @Test
    void exactHostsIgnoreCaseAndNeedAHost() {
        Route.Builder b = Route.builder("r", "u").host("API.Example.com");
        assertEquals(List.of("api.example.com"), b.build().hosts());
        assertTrue(matches(b, TestRequest.get("api.example.com", "/")));
        assertFalse(matches(b, TestRequest.get("www.example.com", "/")));
        assertFalse(matches(b, TestRequest.get("", "/")), "a request without Host does not match a host route");
    }

    @Test
    void wildcardHostMatchesAnyDepthButNotTheApex() {
        Route.Builder b = Route.builder("r", "u").host("*.example.com");
        assertTrue(matches(b, TestRequest.get("sub.example.com", "/")));
        assertTrue(matches(b, TestRequest.get("a.b.example.com", "/")));
        assertFalse(matches(b, TestRequest.get("example.com", "/")));
        assertFalse(matches(b, TestRequest.get("badexample.com", "/")));
        assertFalse(matches(b, TestRequest.get("example.com.evil.org", "/")));
    }

    @Test
    void badHostsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Route.builder("r", "u").host("api.example.com:8080"));
        assertThrows(IllegalArgumentException.class, () -> Route.builder("r", "u").host("*"));
        assertThrows(IllegalArgumentException.class, () -> Route.builder("r", "u").host("a.*.com"));
        assertThrows(IllegalArgumentException.class, () -> Route.builder("r", "u").host("a..com"));
    }

    @Test
    void methods() {
        Route.Builder b = Route.builder("r", "u").method("get").method("Post");
        assertEquals(List.of("GET", "POST"), b.build().methods());
        assertTrue(matches(b, TestRequest.get("/").withMethod("GET")));
        assertTrue(matches(b, TestRequest.get("/").withMethod("POST")));
        assertFalse(matches(b, TestRequest.get("/").withMethod("DELETE")));
        assertTrue(matches(Route.builder("r", "u"), TestRequest.get("/").withMethod("PATCH")),
                "no methods means any method");
    }

    @Test
    void headerConditions() {
        Route.Builder eq = Route.builder("r", "u").header(ValueCondition.equalTo("X-Env", "prod"));
        assertTrue(matches(eq, TestRequest.get("/").withHeader("x-env", "prod")));
        assertTrue(matches(eq, TestRequest.get("/").withHeader("X-Env", "dev").withHeader("X-Env", "prod")),
                "one of several values is enough");
        assertFalse(matches(eq, TestRequest.get("/").withHeader("X-Env", "Prod")));
        assertFalse(matches(eq, TestRequest.get("/")));

        Route.Builder re = Route.builder("r", "u").header(ValueCondition.matching("User-Agent", "curl/.*"));
        assertTrue(matches(re, TestRequest.get("/").withHeader("User-Agent", "curl/8.5")));
        assertFalse(matches(re, TestRequest.get("/").withHeader("User-Agent", "xcurl/8.5")), "regex is a full match");
        assertFalse(matches(re, TestRequest.get("/")));

        Route.Builder present = Route.builder("r", "u").header(ValueCondition.present("X-Debug"));
        assertTrue(matches(present, TestRequest.get("/").withHeader("X-Debug", "")));
        assertFalse(matches(present, TestRequest.get("/")));

        Route.Builder absent = Route.builder("r", "u").header(ValueCondition.absent("X-Debug"));
        assertTrue(matches(absent, TestRequest.get("/")));
        assertFalse(matches(absent, TestRequest.get("/").withHeader("X-Debug", "1")));

        Route.Builder all = Route.builder("r", "u")
                .header(ValueCondition.equalTo("X-Env", "prod")).header(ValueCondition.present("X-Debug"));
        assertFalse(matches(all, TestRequest.get("/").withHeader("X-Env", "prod")), "all conditions must hold");
        assertTrue(matches(all, TestRequest.get("/").withHeader("X-Env", "prod").withHeader("X-Debug", "1")));
    }

    @Test
    void queryConditionsUseDecodedValues() {
        Route.Builder eq = Route.builder("r", "u").query(ValueCondition.equalTo("q", "a b"));
        assertTrue(matches(eq, TestRequest.get("/?x=1&q=a%20b")));
        assertFalse(matches(eq, TestRequest.get("/?q=ab")));
        assertFalse(matches(eq, TestRequest.get("/")));
        Route.Builder re = Route.builder("r", "u").query(ValueCondition.matching("v", "[12]"));
        assertTrue(matches(re, TestRequest.get("/?v=2")));
        assertFalse(matches(re, TestRequest.get("/?v=3")));
        Route.Builder present = Route.builder("r", "u").query(ValueCondition.present("debug"));
        assertTrue(matches(present, TestRequest.get("/?debug")));
        assertFalse(matches(present, TestRequest.get("/?other=1")));
        Route.Builder absent = Route.builder("r", "u").query(ValueCondition.absent("debug"));
        assertTrue(matches(absent, TestRequest.get("/")));
        assertTrue(matches(absent, TestRequest.get("/?x=1")));
        assertFalse(matches(absent, TestRequest.get("/?debug=1")));
    }

    @Test
    void stripPrefix() {
        PathRewrite strip = PathRewrite.stripPrefix();
        RouteTable t = table(Route.builder("r", "u").path(PathPattern.prefix("/users")));
        assertEquals("/1", t.match(TestRequest.get("/users/1")).orElseThrow().rewritten(strip));
        assertEquals("/", t.match(TestRequest.get("/users")).orElseThrow().rewritten(strip));
        assertEquals("/", t.match(TestRequest.get("/users/")).orElseThrow().rewritten(strip));
        assertEquals("/a%2Fb/c", t.match(TestRequest.get("/users/a%2Fb/c?x=1")).orElseThrow().rewritten(strip));
        RouteTable root = table(Route.builder("r", "u").path(PathPattern.prefix("/")));
        assertEquals("/x/y", root.match(TestRequest.get("/x/y")).orElseThrow().rewritten(strip));
    }

    @Test
    void replacePrefix() {
        PathRewrite v2 = PathRewrite.replacePrefix("/v2/users");
        RouteTable t = table(Route.builder("r", "u").path(PathPattern.prefix("/users")));
        assertEquals("/v2/users/1", t.match(TestRequest.get("/users/1")).orElseThrow().rewritten(v2));
        assertEquals("/v2/users", t.match(TestRequest.get("/users")).orElseThrow().rewritten(v2));
        assertEquals("/v2/users/", t.match(TestRequest.get("/users/")).orElseThrow().rewritten(v2));
        PathRewrite slash = PathRewrite.replacePrefix("/");
        RouteTable toRoot = table(Route.builder("r", "u").path(PathPattern.prefix("/api")));
        assertEquals("/x", toRoot.match(TestRequest.get("/api/x")).orElseThrow().rewritten(slash));
        assertEquals("/", toRoot.match(TestRequest.get("/api")).orElseThrow().rewritten(slash));
    }

    @Test
    void templateRewriteUsesRawValues() {
        RouteTable t = table(Route.builder("r", "u").path(PathPattern.path("/users/{id}/files/{rest...}")));
        RouteMatch m = t.match(TestRequest.get("/users/a%20b/files/x/y.txt")).orElseThrow();
        assertEquals("/internal/a%20b/blob/x/y.txt", m.rewritten(PathRewrite.template("/internal/{id}/blob/{rest}")));
        assertEquals("a b", m.pathVariables().get("id"));
    }

    @Test
    void noRewriteKeepsTheRawPath() {
        RouteMatch m = table(Route.builder("r", "u").path(PathPattern.prefix("/a"))).match(TestRequest.get("/a/%7E?q=1"))
                .orElseThrow();
        assertEquals("/a/%7E", m.rewritten(PathRewrite.none()));
        assertEquals("/a/%7E", m.path());
    }

    @Test
    void rewriteMustFitTheMatch() {
        assertThrows(IllegalArgumentException.class, () -> PathRewrite.stripPrefix().checkFits(PathPattern.path("/x")));
        assertThrows(IllegalArgumentException.class, () -> PathRewrite.replacePrefix("/v2").checkFits(PathPattern.any()));
        assertThrows(IllegalArgumentException.class, () -> PathRewrite.template("/{id}").checkFits(PathPattern.prefix("/x")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PathRewrite.template("/{uid}").checkFits(PathPattern.path("/u/{id}")));
        assertTrue(e.getMessage().contains("{uid}"), e.getMessage());
        PathRewrite.template("/{id}").checkFits(PathPattern.path("/u/{id}"));
        PathRewrite.stripPrefix().checkFits(PathPattern.prefix("/u"));
    }
}
