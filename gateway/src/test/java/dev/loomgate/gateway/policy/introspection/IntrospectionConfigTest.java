package dev.loomgate.gateway.policy.introspection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.pipeline.FilterContext;
import dev.loomgate.gateway.pipeline.NodeServices;
import dev.loomgate.gateway.testing.RoutesFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code oauth2-introspection:} as the routes file gives it: the secret from a file, defaults, errors. */
class IntrospectionConfigTest {
    private static final String UP = RoutesFiles.ONE_ROUTE; // the route's next key is on line 7

    @TempDir
    Path dir;

    @Test
    void parsesWithDefaultsAndNeverPrintsTheSecret() throws Exception {
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "s3cr3t-value\n");
        IntrospectionSettings s = RoutesParser.parse(UP + """
                    oauth2-introspection:
                      endpoint: https://idp.example.com/introspect
                      client-id: gateway
                      client-secret-file: %s
                      claims: { scope: orders:read }
                """.formatted(secret), "routes.yaml").pipeline("a")
                .config(IntrospectionFilterFactory.KEY, IntrospectionSettings.class).orElseThrow();
        assertEquals("s3cr3t-value", s.clientSecret().resolve());
        assertEquals(IntrospectionSettings.DEFAULT_TIMEOUT, s.timeout());
        assertEquals(Duration.ofMinutes(1), s.cacheTtl());
        assertFalse(s.toString().contains("s3cr3t"), "settings hold where the secret is, not the secret");
        // min(exp, cache-ttl), and the negative TTL for inactive answers
        long soon = java.time.Instant.now().getEpochSecond() + 10;
        Duration ttl = IntrospectionFilterFactory.ttl(new IntrospectionResult(true, Map.of("exp", soon)), s);
        assertEquals(true, ttl.compareTo(Duration.ofSeconds(11)) <= 0 && ttl.compareTo(Duration.ofSeconds(8)) >= 0,
                ttl.toString());
        assertEquals(s.negativeCacheTtl(), IntrospectionFilterFactory.ttl(IntrospectionResult.INACTIVE, s));
    }

    @Test
    void aNodeWithoutTheSecretFileRefusesToCreateTheFilter() throws Exception {
        IntrospectionSettings s = RoutesParser.parse(UP + """
                    oauth2-introspection:
                      endpoint: https://idp.example.com/introspect
                      client-id: gateway
                      client-secret-file: %s
                """.formatted(dir.resolve("absent")), "routes.yaml").pipeline("a")
                .config(IntrospectionFilterFactory.KEY, IntrospectionSettings.class).orElseThrow();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                new IntrospectionFilterFactory().create(s, new FilterContext("a", NodeServices.none())));
        assertTrue(e.getMessage().startsWith("routes.yaml:10: routes[0].oauth2-introspection.client-secret-file: "
                + "cannot read"), e.getMessage());
    }

    @Test
    void refusals() {
        RoutesFiles.assertError(UP + """
                    oauth2-introspection:
                      endpoint: https://idp.example.com/introspect
                      client-id: gateway
                """, "routes[0].oauth2-introspection", 8, "client-secret-file or client-secret-env");
        RoutesFiles.assertError(UP + """
                    oauth2-introspection:
                      endpoint: file:///etc/passwd
                """, "routes[0].oauth2-introspection.endpoint", 8, "http:// or https://");
        RoutesFiles.assertError(UP + """
                    oauth2-introspection:
                      endpoint: http://idp/introspect
                      client-id: gateway
                      client-secret: inline-is-refused
                """, "routes[0].oauth2-introspection.client-secret", 10, "unknown");
    }
}
