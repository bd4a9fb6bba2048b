package dev.loomgate.gateway.node;

import dev.loomgate.testsupport.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.GatewayProcess;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGTERM: readiness fails first, the in-flight request completes, the process exits 0. */
class GracefulShutdownTest {
    @Test
    void sigtermDrainsInFlightRequestsAndExitsZero(@TempDir Path dir) throws Exception {
        try (TestUpstream slow = TestUpstream.start("slow")) {
            slow.behave(Behaviors.slow(1500, "slow"));
            Path accessLog = dir.resolve("access.log");
            try (GatewayProcess gw = GatewayProcess.start(dir, """
                    upstreams:
                      - name: slow
                        endpoints: [ %s ]
                    routes:
                      - id: slow
                        upstream: slow
                    """.formatted(slow.address()), "drain-timeout: 10s\ndrain-quiet-period: 500ms\naccess-log: " + accessLog)) {
                CompletableFuture<HttpResponse<String>> inFlight = TestGateway.http().sendAsync(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + "/work")).build(),
                        HttpResponse.BodyHandlers.ofString());
                slow.awaitReceived(1); // the request is now waiting on the slow upstream
                gw.process().destroy(); // SIGTERM
                int readiness = Await.value("readiness to fail after SIGTERM", Duration.ofSeconds(5), () -> ready(gw), s -> s != 200);
                assertEquals(503, readiness, "readiness fails as soon as draining starts");
                HttpResponse<String> r = inFlight.get();
                assertEquals(200, r.statusCode(), "the in-flight request completes");
                assertEquals(0, gw.terminate(Duration.ofSeconds(15)), gw.log());
                String log = gw.log();
                assertTrue(log.contains("draining"), log);

                JsonObject line = Json.createReader(new java.io.StringReader(
                        Files.readAllLines(accessLog).getFirst())).readObject();
                assertEquals("child", line.getString("node"));
                assertEquals("slow", line.getString("route"));
                assertEquals(slow.address(), line.getString("endpoint"));
                assertEquals("GET", line.getString("method"));
                assertEquals("/work", line.getString("path"));
                assertEquals(200, line.getInt("status"));
                assertTrue(line.getJsonNumber("duration_ms").doubleValue() >= 1000);
                assertEquals(r.headers().firstValue("X-Request-Id").orElseThrow(), line.getString("request_id"));
                assertTrue(line.containsKey("bytes_in") && line.containsKey("bytes_out") && line.containsKey("time"));
            }
        }
    }

    private static int ready(GatewayProcess gw) {
        try {
            return TestGateway.http().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gw.adminPort() + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1; // listener already closed: also "not ready"
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
