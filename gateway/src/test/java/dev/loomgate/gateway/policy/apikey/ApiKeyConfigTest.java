package dev.loomgate.gateway.policy.apikey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.pipeline.FilterContext;
import dev.loomgate.gateway.pipeline.NodeServices;
import dev.loomgate.gateway.testing.RoutesFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code api-key:} as the routes file gives it: hashes only, a pepper from a file or the environment, errors. */
class ApiKeyConfigTest {
    private static final String UP = RoutesFiles.ONE_ROUTE; // the route's next key is on line 7
    private static final String HASH = "ab".repeat(32);

    @TempDir
    Path dir;

    @Test
    void sha256KeysNeedNoPepper() throws Exception {
        String key = ApiKeys.generate();
        String hash = ApiKeys.hex(ApiKeys.hash(key, ApiKeys.HashMethod.SHA256, new byte[0]));
        ApiKeySettings s = RoutesParser.parse(UP + """
                    api-key:
                      hash: sha256
                      from: query:key
                      keys:
                        - { id: %s, hash: %s, consumer: ci }
                """.formatted(ApiKeys.id(key).orElseThrow(), hash.toUpperCase()), "routes.yaml")
                .pipeline("a").config(ApiKeyFilterFactory.KEY, ApiKeySettings.class).orElseThrow();
        assertEquals("ci", s.match(key, s.resolvePepper()).orElseThrow().consumer());
        assertTrue(s.match(ApiKeys.generate(), s.resolvePepper()).isEmpty());
        assertFalse(s.toString().contains(hash), "settings never print hashes");
    }

    @Test
    void thePepperIsReadByTheNodeNotByTheParser() throws Exception {
        // loomgate routes validate|push parse where the nodes' pepper is not: parsing only records where it is
        ApiKeySettings s = RoutesParser.parse(UP + """
                    api-key:
                      pepper-env: LOOMGATE_TEST_PEPPER_THAT_IS_NOT_SET
                      keys: []
                """, "routes.yaml").pipeline("a").config(ApiKeyFilterFactory.KEY, ApiKeySettings.class).orElseThrow();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ApiKeyFilterFactory()
                .create(s, new FilterContext("a", NodeServices.none())));
        assertEquals("routes.yaml:8: routes[0].api-key.pepper-env: environment variable "
                + "'LOOMGATE_TEST_PEPPER_THAT_IS_NOT_SET' is not set", e.getMessage());
        Path shortPepper = dir.resolve("short");
        Files.writeString(shortPepper, "too-short");
        ApiKeySettings weak = RoutesParser.parse(UP + """
                    api-key:
                      pepper-file: %s
                      keys: []
                """.formatted(shortPepper), "routes.yaml").pipeline("a")
                .config(ApiKeyFilterFactory.KEY, ApiKeySettings.class).orElseThrow();
        assertTrue(assertThrows(IllegalArgumentException.class, weak::resolvePepper).getMessage()
                .endsWith("at least 16 characters"));
    }

    @Test
    void refusesPlaintextLookingKeysAndMissingPeppers() throws Exception {
        Path pepper = dir.resolve("pepper");
        Files.writeString(pepper, "0123456789abcdef-pepper", StandardCharsets.UTF_8);
        RoutesFiles.assertError(UP + """
                    api-key:
                      keys:
                        - { id: abcd1234, hash: %s, consumer: x }
                """.formatted(HASH), "routes[0].api-key", 8, "pepper-file or pepper-env");
        RoutesFiles.assertError(UP + """
                    api-key:
                      pepper-file: %s
                      keys:
                        - { id: abcd1234, hash: lgk_abcd1234_secret, consumer: x }
                """.formatted(pepper), "routes[0].api-key.keys[0].hash", 10, "never the key itself");
        RoutesFiles.assertError(UP + """
                    api-key:
                      pepper-file: %s
                      keys:
                        - { id: ABCD, hash: %s, consumer: x }
                """.formatted(pepper, HASH), "routes[0].api-key.keys[0].id", 10, "8-character id");
        RoutesFiles.assertError(UP + """
                    api-key:
                      pepper-file: %s
                      keys:
                        - { id: abcd1234, hash: %s, consumer: x }
                        - { id: abcd1234, hash: %s, consumer: y }
                """.formatted(pepper, HASH, HASH), "routes[0].api-key.keys[1]", 11, "listed twice");
        RoutesFiles.assertError(UP + """
                    api-key:
                      hash: sha256
                      pepper-file: %s
                      keys: []
                """.formatted(pepper), "routes[0].api-key.pepper-file", 9, "only applies");
        RoutesFiles.assertError(UP + """
                    api-key:
                      hash: md5
                      keys: []
                """, "routes[0].api-key.hash", 8, "hmac-sha256");
    }
}
