package dev.loomgate.gateway.policy.cors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.loomgate.gateway.route.TestRequest;
import org.junit.jupiter.api.Test;

/** The CORS decisions without a server: origins, preflights, actual-response headers, credentials. */
class CorsPolicyTest {
    private static final CorsPolicy APP = CorsPolicy.builder()
            .allowOrigins(List.of("https://app.example.com", "https://*.example.org", "http://localhost:3000"))
            .allowMethods(List.of("GET", "PUT"))
            .allowHeaders(List.of("Content-Type", "X-Api-Key"))
            .exposeHeaders(List.of("X-Request-Id"))
            .allowCredentials(true)
            .maxAge(Duration.ofMinutes(10))
            .build();
    private static final CorsPolicy PUBLIC = CorsPolicy.builder().allowOrigins(List.of("*")).build();

    @Test
    void originsMatchExactlyOrBySubdomain() {
        assertTrue(APP.allowsOrigin("https://app.example.com"));
        assertTrue(APP.allowsOrigin("https://APP.example.com"), "hosts compare case-insensitively");
        assertTrue(APP.allowsOrigin("https://app.example.com:443"), "the default port is no port");
        assertFalse(APP.allowsOrigin("http://app.example.com"), "the scheme is part of the origin");
        assertFalse(APP.allowsOrigin("https://app.example.com:8443"));
        assertFalse(APP.allowsOrigin("https://evil-app.example.com"));
        assertFalse(APP.allowsOrigin("https://app.example.com.evil.net"));
        assertTrue(APP.allowsOrigin("https://a.example.org"));
        assertTrue(APP.allowsOrigin("https://a.b.example.org"), "a wildcard matches subdomains at any depth");
        assertFalse(APP.allowsOrigin("https://example.org"), "but not the apex");
        assertFalse(APP.allowsOrigin("https://badexample.org"));
        assertTrue(APP.allowsOrigin("http://localhost:3000"));
        assertFalse(APP.allowsOrigin("http://localhost:3001"));
        assertFalse(APP.allowsOrigin("null"), "opaque origins (sandboxed frames, file:) are never listed");
        assertFalse(APP.allowsOrigin("https://app.example.com/"));
        assertFalse(APP.allowsOrigin(""));
        assertTrue(PUBLIC.allowsOrigin("null"));
        assertTrue(PUBLIC.allowsOrigin("https://anyone.test"));
    }

    @Test
    void allowedPreflightGetsEveryHeaderBrowsersCheck() {
        CorsPolicy.PreflightDecision d = APP.preflight("https://app.example.com", "PUT", List.of("content-type,x-api-key"));
        assertTrue(d.allowed(), d.reason());
        assertEquals(Map.of(
                "Access-Control-Allow-Origin", "https://app.example.com",
                "Access-Control-Allow-Credentials", "true",
                "Access-Control-Allow-Methods", "GET, PUT",
                "Access-Control-Allow-Headers", "Content-Type, X-Api-Key",
                "Access-Control-Max-Age", "600",
                "Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"), d.headers());
    }

    @Test
    void refusedPreflightsSayWhy() {
        assertEquals("origin is not allowed", APP.preflight("https://evil.test", "GET", List.of()).reason());
        assertEquals("method DELETE is not allowed", APP.preflight("https://app.example.com", "DELETE", List.of()).reason());
        assertEquals("method POST is not allowed", APP.preflight("https://app.example.com", "POST", List.of()).reason(),
                "allow-methods lists every method a preflight may ask for");
        assertEquals("header x-other is not allowed",
                APP.preflight("https://app.example.com", "GET", List.of("X-Api-Key, x-other")).reason());
        assertFalse(APP.preflight("https://app.example.com", "GE T", List.of()).allowed());
        assertFalse(APP.preflight("https://app.example.com", "GET", List.of("bad header")).allowed());
        assertTrue(APP.preflight("https://app.example.com", "GET", List.of("X-API-KEY", "")).allowed(),
                "header names compare case-insensitively; empty items are skipped");
    }

    @Test
    void defaultsAllowSafelistedMethodsAndNoExtraHeaders() {
        CorsPolicy p = CorsPolicy.builder().allowOrigins(List.of("https://app.example.com")).build();
        assertEquals(List.of("GET", "HEAD", "POST"), p.allowMethods());
        assertTrue(p.preflight("https://app.example.com", "POST", List.of()).allowed());
        assertFalse(p.preflight("https://app.example.com", "PUT", List.of()).allowed());
        assertFalse(p.preflight("https://app.example.com", "POST", List.of("content-type")).allowed(),
                "a JSON body needs Content-Type in allow-headers");
        CorsPolicy.PreflightDecision d = p.preflight("https://app.example.com", "GET", List.of());
        assertFalse(d.headers().containsKey("Access-Control-Allow-Credentials"));
        assertFalse(d.headers().containsKey("Access-Control-Allow-Headers"));
        assertFalse(d.headers().containsKey("Access-Control-Max-Age"), "no max-age: the browser's default");
    }

    @Test
    void wildcardsAreEchoedSoTheyWorkWithCredentials() {
        CorsPolicy p = CorsPolicy.builder().allowOrigins(List.of("https://app.example.com")).allowMethods(List.of("*"))
                .allowHeaders(List.of("*")).allowCredentials(true).build();
        CorsPolicy.PreflightDecision d = p.preflight("https://app.example.com", "PATCH", List.of("authorization, x-b"));
        assertTrue(d.allowed());
        assertEquals("PATCH", d.headers().get("Access-Control-Allow-Methods"));
        assertEquals("authorization, x-b", d.headers().get("Access-Control-Allow-Headers"));
    }

    @Test
    void publicPolicyAnswersStar() {
        CorsPolicy.PreflightDecision d = PUBLIC.preflight("https://x.test", "GET", List.of());
        assertEquals("*", d.headers().get("Access-Control-Allow-Origin"));
        assertEquals("Access-Control-Request-Method, Access-Control-Request-Headers", d.headers().get("Vary"));
        assertFalse(PUBLIC.variesByOrigin());
        assertEquals(Map.of("Access-Control-Allow-Origin", "*"), PUBLIC.actualResponseHeaders("https://x.test"));
        assertEquals(Map.of("Access-Control-Allow-Origin", "*"), PUBLIC.responseHeadersWithoutOrigin(),
                "a constant answer goes on every response, so a cached same-origin copy serves CORS readers too");
    }

    @Test
    void actualResponsesEchoTheOriginWithCredentialsAndExposedHeaders() {
        assertEquals(Map.of("Access-Control-Allow-Origin", "https://a.example.org",
                        "Access-Control-Allow-Credentials", "true",
                        "Access-Control-Expose-Headers", "X-Request-Id"),
                APP.actualResponseHeaders("https://a.example.org"));
        assertEquals(Map.of(), APP.actualResponseHeaders("https://evil.test"), "a disallowed origin gets none");
        assertEquals(Map.of(), APP.responseHeadersWithoutOrigin());
        assertTrue(APP.variesByOrigin());
    }

    @Test
    void preflightIsOptionsWithOriginAndRequestMethod() {
        TestRequest options = TestRequest.get("/x").withMethod("OPTIONS");
        assertTrue(CorsPolicy.isPreflight(options.withHeader("Origin", "https://a.test")
                .withHeader("Access-Control-Request-Method", "PUT")));
        assertFalse(CorsPolicy.isPreflight(options.withHeader("Origin", "https://a.test")));
        assertFalse(CorsPolicy.isPreflight(options.withHeader("Access-Control-Request-Method", "PUT")));
        assertFalse(CorsPolicy.isPreflight(TestRequest.get("/x").withMethod("PUT").withHeader("Origin", "https://a.test")
                .withHeader("Access-Control-Request-Method", "PUT")));
    }

    @Test
    void browsersRefuseCredentialsWithWildcards() {
        assertThrows(IllegalArgumentException.class,
                () -> CorsPolicy.builder().allowOrigins(List.of("*")).allowCredentials(true).build());
        assertThrows(IllegalArgumentException.class, () -> CorsPolicy.builder().allowOrigins(List.of("https://a.test"))
                .exposeHeaders(List.of("*")).allowCredentials(true).build());
        assertThrows(IllegalArgumentException.class, () -> CorsPolicy.builder().build(), "no origins");
    }

    @Test
    void originPatternsNormalize() {
        assertEquals("https://app.example.com", OriginPattern.parse("HTTPS://App.Example.com:443").toString());
        assertEquals("http://*.example.com:8080", OriginPattern.parse("http://*.example.com:8080").toString());
        assertEquals("http://[::1]:3000", OriginPattern.parse("http://[::1]:3000").toString());
        assertTrue(OriginPattern.parse("http://[::1]:3000").matches(OriginPattern.ofHeader("http://[::1]:3000").orElseThrow()));
        assertEquals(Optional.empty(), OriginPattern.ofHeader("https://*.example.com"), "a browser never sends a wildcard");
        assertEquals(Optional.empty(), OriginPattern.ofHeader("null"));
    }

    @Test
    void badOriginPatternsSayWhy() {
        Map<String, String> cases = Map.of(
                "app.example.com", "is not an origin",
                "https://app.example.com/", "leave out the trailing '/'",
                "https://app.example.com/api", "without path",
                "https://user@app.example.com", "without user info",
                "https://app.example.com:0", "port must be 1..65535",
                "https://app.example.com:99999", "port must be 1..65535",
                "https://*.com", "at least two labels",
                "https://app.*.example.com", "only as the first label",
                "https://app_1.example.com", "not a valid host name",
                "1https://a.test", "not a URI scheme");
        cases.forEach((text, reason) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OriginPattern.parse(text), text);
            assertTrue(e.getMessage().contains(reason), text + ": " + e.getMessage());
        });
    }
}
