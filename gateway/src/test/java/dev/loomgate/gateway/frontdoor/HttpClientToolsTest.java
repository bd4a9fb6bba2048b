package dev.loomgate.gateway.frontdoor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** HTTP/1.0 as real clients speak it: {@code curl -0} and ApacheBench (skipped when the tool is missing). */
class HttpClientToolsTest {
    private TestUpstream upstream;
    private TestGateway gateway;

    @BeforeEach
    void setUp() throws Exception {
        upstream = TestUpstream.start("u1");
        gateway = TestGateway.start("""
                upstreams:
                  - name: backend
                    endpoints: [ %s ]
                routes:
                  - id: api
                    upstream: backend
                    match: { path-prefix: /api }
                """.formatted(upstream.address()));
    }

    @AfterEach
    void tearDown() {
        gateway.close();
        upstream.close();
    }

    private static boolean installed(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "finished: " + String.join(" ", command));
        String text = new String(out, StandardCharsets.ISO_8859_1);
        assertEquals(0, p.exitValue(), text);
        return text;
    }

    @Test
    void curlHttp10() throws Exception {
        assumeTrue(installed("curl"), "curl is not installed");
        String url = "http://127.0.0.1:" + gateway.port() + "/api/hello";
        String small = run("curl", "-0", "-s", "-i", "--max-time", "20", url);
        assertTrue(small.startsWith("HTTP/1.1 200"), small);
        assertTrue(small.endsWith("u1 GET /api/hello"), small);
        assertFalse(small.toLowerCase().contains("transfer-encoding"), small);

        upstream.behave(Behaviors.large(700_000, true));
        String big = run("curl", "-0", "-s", "-D", "-", "-o", "/dev/null", "-w", "size=%{size_download}", "--max-time", "20", url);
        assertFalse(big.toLowerCase().contains("transfer-encoding"), big);
        assertTrue(big.toLowerCase().contains("connection: close"), big);
        assertTrue(big.contains("size=700000"), big);
    }

    @Test
    void apacheBench() throws Exception {
        assumeTrue(installed("ab"), "ab (apache2-utils) is not installed");
        String url = "http://127.0.0.1:" + gateway.port() + "/api/hello";
        List<String> runs = new ArrayList<>();
        runs.add(run("ab", "-q", "-n", "100", "-c", "4", url));
        runs.add(run("ab", "-q", "-k", "-n", "100", "-c", "4", url)); // HTTP/1.0 keep-alive
        for (String out : runs) {
            assertTrue(out.contains("Complete requests:      100"), out);
            assertTrue(out.contains("Failed requests:        0"), out);
            assertFalse(out.contains("Non-2xx responses"), out);
        }
        assertTrue(runs.get(1).contains("Keep-Alive requests:    100"), runs.get(1));
    }
}
