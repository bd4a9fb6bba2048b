package dev.loomgate.gateway.policy.cors;

import dev.loomgate.gateway.testing.RoutesFiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.loomgate.gateway.config.RoutesDocument;
import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.yaml.ConfigException;
import org.junit.jupiter.api.Test;

/** {@code cors:} as the routes file gives it: values, defaults, and errors with file:line, field and reason. */
class CorsConfigTest {
    private static final String UP = RoutesFiles.ONE_ROUTE; // the route's next key is on line 7

    private static CorsPolicy cors(RoutesDocument doc, String routeId) {
        return doc.pipeline(routeId).config(CorsFilterFactory.KEY, CorsPolicy.class).orElseThrow();
    }

    private static void assertError(String yaml, String field, int line, String reasonPart) {
        RoutesFiles.assertError(yaml, field, line, reasonPart);
    }

    @Test
    void parsesEveryKey() throws ConfigException {
        CorsPolicy p = cors(RoutesParser.parse(UP + """
                    cors:
                      allow-origins: [https://app.example.com, "https://*.example.com"]
                      allow-methods: [GET, post, PUT]
                      allow-headers: [Content-Type, Authorization]
                      expose-headers: [X-Request-Id]
                      allow-credentials: true
                      max-age: 10m
                """, "routes.yaml"), "a");
        assertEquals(List.of("https://app.example.com", "https://*.example.com"),
                p.allowOrigins().stream().map(OriginPattern::toString).toList());
        assertEquals(List.of("GET", "POST", "PUT"), p.allowMethods(), "methods are upper-cased, as in match.methods");
        assertEquals(List.of("Content-Type", "Authorization"), p.allowHeaders());
        assertEquals(List.of("X-Request-Id"), p.exposeHeaders());
        assertTrue(p.allowCredentials());
        assertEquals(Optional.of(Duration.ofMinutes(10)), p.maxAge());
    }

    @Test
    void defaults() throws ConfigException {
        CorsPolicy p = cors(RoutesParser.parse(UP + "    cors: { allow-origins: [\"*\"] }\n", "routes.yaml"), "a");
        assertTrue(p.anyOrigin());
        assertEquals(List.of("GET", "HEAD", "POST"), p.allowMethods());
        assertEquals(List.of(), p.allowHeaders());
        assertEquals(List.of(), p.exposeHeaders());
        assertFalse(p.allowCredentials());
        assertEquals(Optional.empty(), p.maxAge());
    }

    @Test
    void asDefaultWithAnOptOut() throws ConfigException {
        RoutesDocument doc = RoutesParser.parse("""
                default-filters:
                  cors: { allow-origins: [https://app.example.com] }
                upstreams:
                  - name: demo
                    endpoints: [127.0.0.1:9001]
                routes:
                  - id: api
                    upstream: demo
                  - id: gets-only
                    upstream: demo
                    match: { methods: [GET] }
                  - id: internal
                    upstream: demo
                    cors: off
                """, "routes.yaml");
        assertEquals(List.of("cors"), doc.pipeline("api").keys());
        assertEquals(List.of("cors"), doc.pipeline("gets-only").keys(),
                "an inherited default is not the route's own choice: no OPTIONS check");
        assertEquals(List.of(), doc.pipeline("internal").keys());
    }

    @Test
    void credentialsWithWildcardsAreRejected() {
        assertError(UP + "    cors:\n      allow-origins: [\"*\"]\n      allow-credentials: true\n",
                "routes[0].cors.allow-credentials", 9, "cannot be true with allow-origins \"*\"");
        assertError(UP + "    cors:\n      allow-origins: [https://a.test]\n      expose-headers: [\"*\"]\n"
                        + "      allow-credentials: yes\n",
                "routes[0].cors.allow-credentials", 10, "cannot be true with expose-headers \"*\"");
    }

    @Test
    void badOriginsAreRejected() {
        assertError(UP + "    cors:\n      allow-origins:\n        - https://a.test\n        - https://b.test/\n",
                "routes[0].cors.allow-origins[1]", 10, "leave out the trailing '/'");
        assertError(UP + "    cors:\n      allow-origins: [app.example.com]\n",
                "routes[0].cors.allow-origins[0]", 8, "is not an origin (write scheme://host[:port]");
        assertError(UP + "    cors:\n      allow-origins: [\"https://*.com\"]\n",
                "routes[0].cors.allow-origins[0]", 8, "at least two labels");
        assertError(UP + "    cors:\n      allow-origins: [\"*\", https://a.test]\n",
                "routes[0].cors.allow-origins[0]", 8, "give it alone");
        assertError(UP + "    cors:\n      allow-origins: [https://a.test, \"HTTPS://A.test:443\"]\n",
                "routes[0].cors.allow-origins[1]", 8, "the same origin as line 8");
        assertError(UP + "    cors:\n      allow-origins: []\n", "routes[0].cors.allow-origins", 8, "must not be empty");
        assertError(UP + "    cors:\n      allow-methods: [GET]\n", "routes[0].cors.allow-origins", 8, "is required");
    }

    @Test
    void badMethodsHeadersAndDurationsAreRejected() {
        String head = UP + "    cors:\n      allow-origins: [https://a.test]\n";
        assertError(head + "      allow-methods: [GET, \"PO ST\"]\n", "routes[0].cors.allow-methods[1]", 9, "is not a method");
        assertError(head + "      allow-methods: [GET, TRACE]\n", "routes[0].cors.allow-methods[1]", 9, "browsers never send TRACE");
        assertError(head + "      allow-methods: [get, GET]\n", "routes[0].cors.allow-methods[1]", 9, "given twice");
        assertError(head + "      allow-headers: [X-Ok, \"X Bad\"]\n", "routes[0].cors.allow-headers[1]", 9,
                "'X Bad' is not a valid header name");
        assertError(head + "      expose-headers: [X-A, x-a]\n", "routes[0].cors.expose-headers[1]", 9, "given twice");
        assertError(head + "      max-age: 10 minutes\n", "routes[0].cors.max-age", 9, "is not a duration");
        assertError(head + "      max-age: 1500ms\n", "routes[0].cors.max-age", 9, "must be whole seconds");
        assertError(head + "      max-age: 25h\n", "routes[0].cors.max-age", 9, "at most 24h");
        assertError(head + "      allow-credentials: maybe\n", "routes[0].cors.allow-credentials", 9, "must be true or false");
        assertError(head + "      allow-origin: [https://b.test]\n", "routes[0].cors.allow-origin", 9,
                "unknown key (allowed: allow-origins, allow-methods, allow-headers, expose-headers, allow-credentials, max-age)");
        assertError(UP + "    cors: yes please\n", "routes[0].cors", 7, "expected a cors mapping");
    }

    @Test
    void aRouteThatPreflightsCannotReachIsRejected() {
        assertError("""
                upstreams:
                  - name: demo
                    endpoints: [127.0.0.1:9001]
                routes:
                  - id: a
                    upstream: demo
                    match: { methods: [GET, PUT] }
                    cors:
                      allow-origins: [https://a.test]
                """, "routes[0].cors", 9, "add OPTIONS to match.methods");
    }

    @Test
    void invalidDefaultFailsTheFile() {
        assertError("""
                default-filters:
                  cors:
                    allow-origins: ["*"]
                    allow-credentials: true
                routes: []
                """, "default-filters.cors.allow-credentials", 4, "cannot be true");
    }
}
