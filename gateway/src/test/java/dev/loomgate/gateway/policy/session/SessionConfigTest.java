package dev.loomgate.gateway.policy.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import dev.loomgate.gateway.config.RoutesDocument;
import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.testing.RoutesFiles;
import dev.loomgate.gateway.yaml.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code session:} as the routes file gives it: defaults, every option, errors with file:line, secrets. */
class SessionConfigTest {
    private static final String UP = RoutesFiles.ONE_ROUTE; // the route's next key is on line 7

    private static SessionSettings settings(String yaml) throws ConfigException {
        RoutesDocument doc = RoutesParser.parse(UP + yaml, "routes.yaml");
        return doc.pipeline("a").config(SessionFilterFactory.KEY, SessionSettings.class).orElseThrow();
    }

    @Test
    void defaults() throws ConfigException {
        SessionSettings s = settings("    session: { keys: [ { id: k1, secret-env: LG_TEST_SESSION } ] }\n");
        assertEquals(CookieSettings.defaults(), s.cookie());
        assertEquals(Duration.ofMinutes(30), s.timeouts().idle());
        assertEquals(Duration.ofHours(8), s.timeouts().rolling());
        assertEquals(Duration.ofHours(24), s.timeouts().absolute());
        assertEquals(Duration.ofSeconds(10), s.renewalGrace());
        assertFalse(s.required());
        assertFalse(s.failClosed(), "continue without a session when Redis is down, unless required");
        assertFalse(s.upstreamControl());
        assertEquals(64, s.maxAttributes());
        assertEquals(Duration.ZERO, s.localCache());
        assertTrue(s.clientCache(), "Redis-tracked client cache on by default");
        assertEquals(Optional.empty(), s.oidc());
    }

    @Test
    void everyOption() throws ConfigException {
        SessionSettings s = settings("""
                    session:
                      keys: [ { id: new, secret-file: /run/new }, { id: old, secret-env: OLD } ]
                      cookie: { name: sid, path: /app, domain: example.com, secure: always, same-site: strict }
                      idle-timeout: 5m
                      rolling-timeout: 1h
                      absolute-timeout: 2h
                      renewal-grace: 0s
                      required: true
                      on-redis-down: continue
                      forward-attributes: { cart: X-Cart }
                      upstream-control: true
                      action: rotate
                      max-attributes: 10
                      local-cache: 250ms
                      client-cache: false
                """);
        assertEquals(List.of("new", "old"), s.keys().stream().map(SessionSettings.KeyRef::id).toList());
        assertEquals(new CookieSettings("sid", "/app", Optional.of("example.com"), CookieSettings.Secure.ALWAYS,
                "Strict"), s.cookie());
        assertTrue(s.required() && !s.failClosed() && s.upstreamControl() && s.rotate());
        assertEquals(Map.of("cart", "X-Cart"), s.forwardAttributes());
        assertEquals(Duration.ofMillis(250), s.localCache());
        assertFalse(s.clientCache());
        String header = s.cookie().header("v", false, -1);
        assertEquals("sid=v; Path=/app; Domain=example.com; HttpOnly; Secure; SameSite=Strict", header);
    }

    /** Each bad {@code session:} block (after the one-route file) and the error it must give: field, line, reason. */
    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("    session: { keys: [], bogus: 1 }\n", "routes[0].session.bogus", 7, "unknown key"),
                Arguments.of("    session: { keys: [] }\n", "routes[0].session.keys", 7, "at least one key"),
                Arguments.of("    session: { keys: [ { id: k1 } ] }\n", "routes[0].session.keys[0]", 7,
                        "secret-file or secret-env"),
                Arguments.of("    session: { keys: [ { id: 'a.b', secret-env: X } ] }\n",
                        "routes[0].session.keys[0].id", 7, "key id"),
                Arguments.of("    session: { keys: [ { id: a, secret-env: X }, { id: a, secret-env: Y } ] }\n",
                        "routes[0].session.keys[1].id", 7, "listed twice"),
                Arguments.of("    session: { keys: [ { id: a, secret-env: X } ], on-redis-down: maybe }\n",
                        "routes[0].session.on-redis-down", 7, "fail-closed"),
                Arguments.of("    session: { keys: [ { id: a, secret-env: X } ], rolling-timeout: 48h }\n",
                        "routes[0].session.rolling-timeout", 7, "absolute-timeout"),
                Arguments.of("    session: { keys: [ { id: a, secret-env: X } ], forward-attributes: { _c: X-A } }\n",
                        "routes[0].session.forward-attributes._c", 7, "attribute name"),
                Arguments.of("    session: { keys: [ { id: a, secret-env: X } ], forward-attributes: { a: Host } }\n",
                        "routes[0].session.forward-attributes.a", 7, "cannot carry"),
                Arguments.of("    session: { keys: [ { id: a, secret-env: X } ], cookie: { same-site: maybe } }\n",
                        "routes[0].session.cookie.same-site", 7, "lax, strict or none"),
                Arguments.of("    session: { keys: [ { id: a, secret-env: X } ], create: on-write }\n",
                        "routes[0].session.create", 7, "upstream-control"),
                Arguments.of("    session: { keys: [ { id: a, secret-env: X } ], create: lazily }\n",
                        "routes[0].session.create", 7, "on-write"),
                Arguments.of("    session: { keys: [ { id: a, secret-env: X } ], client-cache: maybe }\n",
                        "routes[0].session.client-cache", 7, ""),
                Arguments.of("""
                            session:
                              keys: [ { id: a, secret-env: X } ]
                              local-cache: 1s
                              oidc: { issuer: i, authorization-endpoint: "http://i/a", token-endpoint: "http://i/t",
                                      client-id: c, redirect-uri: "http://gw/cb" }
                        """, "routes[0].session.local-cache", 9, "oidc"),
                Arguments.of("""
                            session:
                              keys: [ { id: a, secret-env: X } ]
                              oidc: { issuer: i, authorization-endpoint: "ftp://i/a", token-endpoint: "http://i/t",
                                      client-id: c, redirect-uri: "http://gw/cb" }
                        """, "routes[0].session.oidc.authorization-endpoint", 9, "absolute http(s) URL"));
    }

    @ParameterizedTest(name = "{1}: {3}")
    @MethodSource("errors")
    void errorsNameTheFieldAndLine(String session, String field, int line, String reason) {
        RoutesFiles.assertError(UP + session, field, line, reason);
    }

    @Test
    void oidcDefaultsToRequiredAndFailClosed() throws ConfigException {
        SessionSettings s = settings("""
                    session:
                      keys: [ { id: a, secret-env: X } ]
                      oidc: { issuer: "http://i", authorization-endpoint: "http://i/a", token-endpoint: "http://i/t",
                              client-id: c, redirect-uri: "http://gw/cb" }
                """);
        assertTrue(s.required() && s.failClosed());
        OidcSettings o = s.oidc().orElseThrow();
        assertEquals("/cb", o.callbackPath());
        assertEquals("/logout", o.logoutPath());
        assertEquals(List.of("openid"), o.scopes());
        assertEquals("sub", o.consumerClaim());
    }

    @Test
    void hashKeySessionIsAnUpstreamKeySource() throws ConfigException {
        RoutesParser.parse("""
                upstreams:
                  - { name: s, load-balancer: consistent-hash, hash-key: { session: true }, endpoints: [127.0.0.1:1] }
                routes: [ { id: a, upstream: s } ]
                """, "routes.yaml");
        RoutesFiles.assertError("""
                upstreams:
                  - { name: s, load-balancer: consistent-hash, hash-key: { session: false }, endpoints: [127.0.0.1:1] }
                routes: [ { id: a, upstream: s } ]
                """, "upstreams[0].hash-key.session", 2, "must be true");
    }

    @Test
    void aMissingOrShortSecretRefusesTheFilterNotTheFile() throws ConfigException {
        SessionSettings s = settings("    session: { keys: [ { id: k1, secret-env: LG_SESSION_TEST_UNSET } ] }\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.resolveKeyring(Map.of()));
        assertTrue(e.getMessage().contains("routes.yaml:7") && e.getMessage().contains("not set"), e.getMessage());
        IllegalArgumentException shortOne = assertThrows(IllegalArgumentException.class,
                () -> s.resolveKeyring(Map.of("LG_SESSION_TEST_UNSET", "too-short")));
        assertTrue(shortOne.getMessage().contains("at least 32"), shortOne.getMessage());
        assertEquals("k1", s.resolveKeyring(Map.of("LG_SESSION_TEST_UNSET", "x".repeat(32))).primaryId());
    }
}
