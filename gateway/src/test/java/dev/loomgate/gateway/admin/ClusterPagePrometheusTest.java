package dev.loomgate.gateway.admin;

import java.io.StringReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.loomgate.gateway.testing.RefusingPort;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code monitoring.prometheus-url}: {@code /admin/stats} reads rate and p99 per route from a real
 * Prometheus (Debian's) scraping the node, and falls back to the node's own ring while Prometheus
 * does not answer.
 */
class ClusterPagePrometheusTest {

    private static JsonObject stats(TestGateway gw) {
        try (var r = Json.createReader(new StringReader(gw.admin("/admin/stats").body()))) {
            return r.readObject();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void ratesComeFromPrometheusWhenItAnswersAndFromTheNodeWhenNot() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prometheus")), "prometheus is installed (make deps)");
        // held (bound, not listening: refused) until Prometheus starts, so no other test JVM binds it meanwhile
        RefusingPort promHold = RefusingPort.open();
        int promPort = promHold.port();
        Path dir = Files.createTempDirectory("lg-prom");
        Process prometheus = null;
        try (promHold; TestUpstream upstream = TestUpstream.start("u");
             TestGateway gw = TestGateway.start("""
                     version: v1
                     upstreams:
                       - name: app
                         endpoints: [ %s ]
                     routes:
                       - id: api
                         upstream: app
                         match: { path-prefix: /api }
                     """.formatted(upstream.address()),
                     c -> c.toBuilder().operations(o -> o.prometheusUrl(URI.create("http://127.0.0.1:" + promPort)))
                             .build())) {
            JsonObject down = stats(gw);
            assertEquals("node", down.getString("source"), "Prometheus is not running yet: " + down);
            assertTrue(down.getString("prometheusError").contains("127.0.0.1:" + promPort), down.toString());

            Files.writeString(dir.resolve("prometheus.yml"), """
                    global: { scrape_interval: 1s, evaluation_interval: 1s }
                    scrape_configs:
                      - job_name: loomgate
                        static_configs: [ { targets: [ "127.0.0.1:%d" ] } ]
                    """.formatted(gw.adminPort()));
            promHold.close();
            prometheus = new ProcessBuilder("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            assertEquals(200, gw.get("/api/x").statusCode()); // the route's series exists from the first scrape on
            Await.until("Prometheus scraped the node", Duration.ofSeconds(30),
                    () -> stats(gw).getJsonArray("routes").stream().map(JsonValue::asJsonObject)
                            .anyMatch(r -> r.getString("route").equals("api")) && stats(gw).getString("source").equals("prometheus"));
            for (int i = 0; i < 40; i++) { // counted between scrapes: a rate above 0
                assertEquals(200, gw.get("/api/x").statusCode());
            }
            JsonObject api = Await.value("route api with a rate and p99 from Prometheus", Duration.ofSeconds(30),
                    () -> {
                        JsonObject s = stats(gw);
                        return s.getString("source").equals("prometheus") ? s.getJsonArray("routes").stream()
                                .map(JsonValue::asJsonObject).filter(r -> r.getString("route").equals("api"))
                                .findFirst().orElse(null) : null;
                    },
                    r -> r != null && r.getJsonNumber("requestsPerSecond").doubleValue() > 0 && !r.isNull("p99Ms"));
            assertTrue(api.getJsonNumber("p99Ms").doubleValue() > 0, api.toString());
            assertFalse(api.getJsonArray("series").isEmpty(), api.toString());
            assertFalse(stats(gw).containsKey("prometheusError"));
        } finally {
            if (prometheus != null) {
                prometheus.destroy();
                if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }
}
