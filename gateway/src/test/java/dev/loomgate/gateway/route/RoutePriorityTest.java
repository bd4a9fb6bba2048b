package dev.loomgate.gateway.route;

import dev.loomgate.gateway.http.RequestView;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Each priority rule, written so that file order alone would choose the other route:
 * the less specific route always comes first in the list.
 */
class RoutePriorityTest {

    private static RouteTable table(Route.Builder... inFileOrder) {
        return RouteTable.of(Arrays.stream(inFileOrder).map(Route.Builder::build).toList());
    }

    private static String winner(RouteTable t, RequestView r) {
        return t.match(r).orElseThrow().route().id();
    }

    private static List<String> order(RouteTable t) {
        return t.routes().stream().map(Route::id).toList();
    }

    @Test
    void exactHostBeatsWildcardBeatsNoHost() {
        RouteTable t = table(
                Route.builder("none", "u"),
                Route.builder("wild", "u").host("*.example.com"),
                Route.builder("exact", "u").host("api.example.com"));
        assertEquals("exact", winner(t, TestRequest.get("api.example.com", "/")));
        assertEquals("wild", winner(t, TestRequest.get("www.example.com", "/")));
        assertEquals("none", winner(t, TestRequest.get("example.com", "/")));
        assertEquals("none", winner(t, TestRequest.get("", "/")));
        assertEquals(List.of("exact", "wild", "none"), order(t));
    }

    @Test
    void longerWildcardSuffixFirst() {
        RouteTable t = table(
                Route.builder("short", "u").host("*.example.com"),
                Route.builder("long", "u").host("*.api.example.com"));
        assertEquals("long", winner(t, TestRequest.get("v1.api.example.com", "/")));
        assertEquals("short", winner(t, TestRequest.get("api.example.com", "/")));
        assertEquals(List.of("long", "short"), order(t));
    }

    @Test
    void hostOutranksPath() {
        RouteTable t = table(
                Route.builder("exact-path", "u").path(PathPattern.path("/users/1")),
                Route.builder("host-any-path", "u").host("*.example.com"));
        assertEquals("host-any-path", winner(t, TestRequest.get("a.example.com", "/users/1")));
        assertEquals("exact-path", winner(t, TestRequest.get("other.org", "/users/1")));
    }

    @Test
    void aRouteWithSeveralHostsRanksByTheHostThatMatched() {
        RouteTable t = table(
                Route.builder("exact-b", "u").host("b.example.com"),
                Route.builder("mixed", "u").host("a.example.com").host("*.example.com"));
        assertEquals("mixed", winner(t, TestRequest.get("a.example.com", "/")));
        assertEquals("exact-b", winner(t, TestRequest.get("b.example.com", "/")));
        assertEquals("mixed", winner(t, TestRequest.get("c.example.com", "/")));
    }

    @Test
    void exactPathBeatsTemplateBeatsPrefixBeatsNone() {
        RouteTable t = table(
                Route.builder("none", "u"),
                Route.builder("prefix", "u").path(PathPattern.prefix("/users")),
                Route.builder("template", "u").path(PathPattern.path("/users/{id}")),
                Route.builder("exact", "u").path(PathPattern.path("/users/me")));
        assertEquals("exact", winner(t, TestRequest.get("/users/me")));
        assertEquals("template", winner(t, TestRequest.get("/users/42")));
        assertEquals("prefix", winner(t, TestRequest.get("/users/42/orders")));
        assertEquals("none", winner(t, TestRequest.get("/other")));
        assertEquals(List.of("exact", "template", "prefix", "none"), order(t));
    }

    @Test
    void templatesWithMoreLiteralSegmentsFirst() {
        RouteTable t = table(
                Route.builder("one-literal", "u").path(PathPattern.path("/{a}/{b}/c")),
                Route.builder("two-literals", "u").path(PathPattern.path("/x/{b}/c")));
        assertEquals("two-literals", winner(t, TestRequest.get("/x/y/c")));
        assertEquals("one-literal", winner(t, TestRequest.get("/z/y/c")));
    }

    @Test
    void templatesWithFewerVariablesFirst() {
        RouteTable t = table(
                Route.builder("two-vars", "u").path(PathPattern.path("/a/{x}/{y}")),
                Route.builder("catch-all", "u").path(PathPattern.path("/a/{rest...}")));
        // one literal each; the catch-all has fewer variables, and variable count is compared
        // before "catch-all last"
        assertEquals("catch-all", winner(t, TestRequest.get("/a/1/2")));

        RouteTable u = table(
                Route.builder("three-vars", "u").path(PathPattern.path("/a/{x}/{y}/{z}")),
                Route.builder("two-vars", "u").path(PathPattern.path("/a/{x}/{yz...}")));
        assertEquals("two-vars", winner(u, TestRequest.get("/a/1/2/3")));
    }

    @Test
    void catchAllTemplateLastWhenLiteralsAndVariablesTie() {
        RouteTable t = table(
                Route.builder("catch-all", "u").path(PathPattern.path("/a/{rest...}")),
                Route.builder("single", "u").path(PathPattern.path("/a/{id}")));
        assertEquals("single", winner(t, TestRequest.get("/a/1")));
        assertEquals("catch-all", winner(t, TestRequest.get("/a/1/2")));
        assertEquals(List.of("single", "catch-all"), order(t));
    }

    @Test
    void longerPrefixFirst() {
        RouteTable t = table(
                Route.builder("root", "u").path(PathPattern.prefix("/")),
                Route.builder("api", "u").path(PathPattern.prefix("/api")),
                Route.builder("api-v2", "u").path(PathPattern.prefix("/api/v2")));
        assertEquals("api-v2", winner(t, TestRequest.get("/api/v2/x")));
        assertEquals("api", winner(t, TestRequest.get("/api/v2x")));
        assertEquals("root", winner(t, TestRequest.get("/web")));
        assertEquals(List.of("api-v2", "api", "root"), order(t));
    }

    @Test
    void moreConstraintsFirst() {
        RouteTable t = table(
                Route.builder("plain", "u").path(PathPattern.prefix("/api")),
                Route.builder("get", "u").path(PathPattern.prefix("/api")).method("GET"),
                Route.builder("get-canary", "u").path(PathPattern.prefix("/api")).method("GET")
                        .header(ValueCondition.equalTo("X-Canary", "1")));
        assertEquals("get-canary", winner(t, TestRequest.get("/api").withHeader("X-Canary", "1")));
        assertEquals("get", winner(t, TestRequest.get("/api")));
        assertEquals("plain", winner(t, TestRequest.get("/api").withMethod("POST")));
        RouteTable q = table(
                Route.builder("plain", "u"),
                Route.builder("query", "u").query(ValueCondition.equalTo("v", "2")));
        assertEquals("query", winner(q, TestRequest.get("/?v=2")));
        assertEquals("plain", winner(q, TestRequest.get("/?v=1")));
    }

    @Test
    void fileOrderBreaksTies() {
        RouteTable t = table(
                Route.builder("first", "u").path(PathPattern.prefix("/a")).method("GET"),
                Route.builder("second", "u").path(PathPattern.prefix("/a")).method("POST").method("GET"));
        assertEquals("first", winner(t, TestRequest.get("/a")));
        assertEquals("second", winner(t, TestRequest.get("/a").withMethod("POST")));
        RouteTable reversed = table(
                Route.builder("second", "u").path(PathPattern.prefix("/a")).method("POST").method("GET"),
                Route.builder("first", "u").path(PathPattern.prefix("/a")).method("GET"));
        assertEquals("second", winner(reversed, TestRequest.get("/a")));
    }

    @Test
    void exactHostRouteThatDoesNotMatchFallsThroughToLessSpecificHosts() {
        RouteTable t = table(
                Route.builder("none", "u"),
                Route.builder("wild", "u").host("*.example.com").path(PathPattern.prefix("/w")),
                Route.builder("exact", "u").host("api.example.com").path(PathPattern.prefix("/e")));
        assertEquals("exact", winner(t, TestRequest.get("api.example.com", "/e")));
        assertEquals("wild", winner(t, TestRequest.get("api.example.com", "/w")));
        assertEquals("none", winner(t, TestRequest.get("api.example.com", "/x")));
    }

    @Test
    void emptyTableMatchesNothing() {
        assertTrue(RouteTable.empty().match(TestRequest.get("/")).isEmpty());
        assertTrue(RouteTable.of(List.of()).routes().isEmpty());
    }

    @Test
    void duplicateIdsAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> table(Route.builder("a", "u"), Route.builder("a", "v")));
    }
}
