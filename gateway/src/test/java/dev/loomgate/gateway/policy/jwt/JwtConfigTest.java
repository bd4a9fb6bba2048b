package dev.loomgate.gateway.policy.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.loomgate.gateway.config.RoutesDocument;
import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.testing.RoutesFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jwt:} as the routes file gives it: values, defaults, and every refusal with file:line and field. */
class JwtConfigTest {
    private static final String UP = RoutesFiles.ONE_ROUTE; // the route's next key is on line 7

    @TempDir
    Path dir;

    private static JwtSettings settings(String yaml) throws Exception {
        RoutesDocument doc = RoutesParser.parse(UP + yaml, "routes.yaml");
        return doc.pipeline("a").config(JwtFilterFactory.KEY, JwtSettings.class).orElseThrow();
    }

    @Test
    void parsesIssuersAndDefaults() throws Exception {
        JwtSettings s = settings("""
                    jwt:
                      issuers:
                        - issuer: https://idp.example.com/
                          algorithms: [RS256, ES256]
                          audiences: [orders-api]
                          jwks-url: https://idp.example.com/jwks
                      claims: { scope: [orders:read, orders:write], tenant: acme }
                      required-claims: [sub]
                      forward-headers: { consumer: X-Consumer-Id }
                """);
        IssuerSettings i = s.issuers().getFirst();
        assertEquals(java.util.Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), i.algorithms());
        JwksSettings j = i.jwks().orElseThrow();
        assertEquals(JwksSettings.DEFAULT_TIMEOUT, j.timeout());
        assertEquals(JwksSettings.DEFAULT_CACHE_TTL, j.cacheTtl());
        assertEquals(Duration.ofSeconds(30), s.clockSkew());
        assertEquals(Map.of("scope", List.of("orders:read", "orders:write"), "tenant", List.of("acme")), s.claimValues());
        assertEquals("bearer", s.options().source().describe());
        assertEquals(Map.of("X-Consumer-Id", "consumer"), s.options().forwarding().headers());
    }

    @Test
    void staticKeysFromAFileArePublicOnly() throws Exception {
        var key = new RSAKeyGenerator(2048).keyID("k1").generate();
        Path pub = dir.resolve("pub.json");
        Files.writeString(pub, new JWKSet(key.toPublicJWK()).toString());
        JwtSettings s = settings("""
                    jwt:
                      issuers:
                        - { issuer: me, algorithms: [RS256], jwks-file: %s }
                """.formatted(pub));
        assertEquals(1, s.issuers().getFirst().staticKeys().orElseThrow().getKeys().size());
        Path priv = dir.resolve("priv.json");
        Files.writeString(priv, new JWKSet(key).toString(false));
        RoutesFiles.assertError(UP + """
                    jwt:
                      issuers:
                        - { issuer: me, algorithms: [RS256], jwks-file: %s }
                """.formatted(priv), "routes[0].jwt.issuers[0].jwks-file", 9, "private key");
    }

    @Test
    void refusesUnsafeAlgorithms() {
        String head = """
                    jwt:
                      issuers:
                        - issuer: me
                          jwks-url: http://127.0.0.1:1/jwks
                """;
        RoutesFiles.assertError(UP + head + "          algorithms: [RS256, none]\n",
                "routes[0].jwt.issuers[0].algorithms[1]", 11, "never accepted");
        RoutesFiles.assertError(UP + head + "          algorithms: [HS256]\n",
                "routes[0].jwt.issuers[0].algorithms[0]", 11, "shared-secret");
        RoutesFiles.assertError(UP + head + "          algorithms: [RS256, HS512]\n",
                "routes[0].jwt.issuers[0].algorithms[1]", 11, "shared-secret");
        RoutesFiles.assertError(UP + head + "          algorithms: [XX999]\n",
                "routes[0].jwt.issuers[0].algorithms[0]", 11, "unknown algorithm");
        RoutesFiles.assertError(UP + head + "          algorithms: []\n",
                "routes[0].jwt.issuers[0].algorithms", 11, "pin at least one");
        RoutesFiles.assertError(UP + head, "routes[0].jwt.issuers[0].algorithms", 9, "is required");
    }

    @Test
    void eddsaCanBePinnedButNotTheFullySpecifiedNames() throws Exception {
        JwtSettings s = settings("""
                    jwt:
                      issuers:
                        - { issuer: me, algorithms: [EdDSA, ES256], jwks-url: "http://127.0.0.1:1/jwks" }
                """);
        assertEquals(java.util.Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.ES256), s.issuers().getFirst().algorithms());
        RoutesFiles.assertError(UP + """
                    jwt:
                      issuers:
                        - { issuer: me, algorithms: [Ed448], jwks-url: "http://127.0.0.1:1/jwks" }
                """, "routes[0].jwt.issuers[0].algorithms[0]", 9, "unknown algorithm");
    }

    @Test
    void refusesBadKeySourcesAndTimings() {
        RoutesFiles.assertError(UP + """
                    jwt:
                      issuers:
                        - { issuer: me, algorithms: [RS256] }
                """, "routes[0].jwt.issuers[0]", 9, "exactly one of jwks-url");
        RoutesFiles.assertError(UP + """
                    jwt:
                      issuers:
                        - { issuer: me, algorithms: [RS256], jwks-url: "ftp://x/jwks" }
                """, "routes[0].jwt.issuers[0].jwks-url", 9, "http:// or https://");
        RoutesFiles.assertError(UP + """
                    jwt:
                      issuers:
                        - { issuer: me, algorithms: [RS256], jwks-url: "http://x/jwks", jwks-cache-ttl: 2s, jwks-timeout: 2s }
                """, "routes[0].jwt.issuers[0].jwks-cache-ttl", 9, "must exceed");
        RoutesFiles.assertError(UP + """
                    jwt:
                      issuers:
                        - { issuer: me, algorithms: [RS256], jwks-url: "http://x/jwks", jwks-timeout: 5m }
                """, "routes[0].jwt.issuers[0].jwks-timeout", 9, "between");
        RoutesFiles.assertError(UP + """
                    jwt:
                      issuers:
                        - { issuer: me, algorithms: [RS256], jwks-url: "http://x/jwks" }
                        - { issuer: me, algorithms: [RS256], jwks-url: "http://x/jwks" }
                """, "routes[0].jwt.issuers[1]", 10, "listed twice");
        RoutesFiles.assertError(UP + """
                    jwt:
                      issuers: []
                """, "routes[0].jwt.issuers", 8, "at least one issuer");
    }

    @Test
    void refusesBadOptions() {
        String issuers = """
                    jwt:
                      issuers: [ { issuer: me, algorithms: [RS256], jwks-url: "http://x/jwks" } ]
                """;
        RoutesFiles.assertError(UP + issuers + "      clock-skew: 1h\n", "routes[0].jwt.clock-skew", 9, "at most 5m");
        RoutesFiles.assertError(UP + issuers + "      verified-cache-ttl: 2h\n", "routes[0].jwt.verified-cache-ttl", 9,
                "must be between 1s and 1h");
        RoutesFiles.assertError(UP + issuers + "      verified-cache-size: -1\n", "routes[0].jwt.verified-cache-size", 9,
                "must be 0..1000000, got -1");
        RoutesFiles.assertError(UP + issuers + "      from: query:token\n", "routes[0].jwt.from", 9, "expected bearer");
        RoutesFiles.assertError(UP + issuers + "      claims: { aud: x }\n", "routes[0].jwt.claims.aud", 9,
                "issuer settings");
        RoutesFiles.assertError(UP + issuers + "      forward-headers: { consumer: Host }\n",
                "routes[0].jwt.forward-headers.consumer", 9, "cannot carry");
        RoutesFiles.assertError(UP + issuers + "      forward-headers: { who: X-Who }\n",
                "routes[0].jwt.forward-headers.who", 9, "unknown");
        RoutesFiles.assertError(UP + issuers + "      max-token-size: 1MiB\n", "routes[0].jwt.max-token-size", 9,
                "between");
        RoutesFiles.assertError(UP + "    jwt: yes\n", "routes[0].jwt", 7, "expected a jwt mapping");
    }
}
