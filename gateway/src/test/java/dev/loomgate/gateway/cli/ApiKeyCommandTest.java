package dev.loomgate.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.loomgate.gateway.config.RoutesDocument;
import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.policy.apikey.ApiKeyFilterFactory;
import dev.loomgate.gateway.policy.apikey.ApiKeySettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loomgate api-key create|hash}: the printed entry, pasted into a routes file, admits the printed key. */
class ApiKeyCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String stdin, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new ApiKeyCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), env).run(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private ApiKeySettings settings(String entry, Path pepper) throws Exception {
        RoutesDocument doc = RoutesParser.parse("""
                upstreams:
                  - name: demo
                    endpoints: [127.0.0.1:9001]
                routes:
                  - id: a
                    upstream: demo
                    api-key:
                      pepper-file: %s
                      keys:
                %s
                """.formatted(pepper, entry.indent(8).stripTrailing()), "routes.yaml");
        return doc.pipeline("a").config(ApiKeyFilterFactory.KEY, ApiKeySettings.class).orElseThrow();
    }

    @Test
    void createPrintsTheKeyOnceAndAnEntryThatAdmitsIt() throws Exception {
        Path pepper = dir.resolve("pepper");
        Files.writeString(pepper, "a-pepper-of-enough-length\n");
        Run r = run("", Map.of(), "api-key", "create", "billing", "--pepper-file", pepper.toString(),
                "--scopes", "orders:read,orders:write");
        assertEquals(0, r.code(), r.err());
        String key = r.err().lines().filter(l -> l.startsWith("lgk_")).findFirst().orElseThrow();
        assertFalse(r.out().contains(key), "stdout (the entry) never holds the key");
        assertTrue(r.out().contains("consumer: billing"), r.out());
        ApiKeySettings s = settings(r.out(), pepper);
        byte[] resolved = s.resolvePepper();
        assertEquals("billing", s.match(key, resolved).orElseThrow().consumer());
        String other = key.substring(0, key.length() - 1) + (key.endsWith("A") ? "B" : "A");
        assertTrue(s.match(other, resolved).isEmpty(), "one changed character");

        Run hashed = run(key + "\n", Map.of("PEPPER", "a-pepper-of-enough-length"), "api-key", "hash",
                "--pepper-env", "PEPPER");
        assertEquals(0, hashed.code(), hashed.err());
        assertEquals(r.out().lines().limit(2).toList(), hashed.out().lines().limit(2).toList(),
                "hash of the same key with the same pepper gives the same entry");
    }

    @Test
    void usageErrors() {
        assertEquals(LoomgateCli.USAGE, run("", Map.of(), "api-key", "create", "billing").code(), "no pepper");
        assertEquals(LoomgateCli.USAGE, run("", Map.of(), "api-key", "create", "--sha256").code(), "no consumer");
        assertEquals(LoomgateCli.USAGE, run("", Map.of("P", "short"), "api-key", "create", "x", "--pepper-env", "P")
                .code(), "a short pepper");
        assertEquals(LoomgateCli.INVALID, run("not-a-key\n", Map.of(), "api-key", "hash", "--sha256").code());
        Run sha = run("", Map.of(), "api-key", "create", "ops", "--sha256");
        assertEquals(0, sha.code(), sha.err());
    }
}
