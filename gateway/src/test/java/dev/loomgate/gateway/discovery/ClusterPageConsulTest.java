package dev.loomgate.gateway.discovery;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.loomgate.consul.standin.ConsulStandin;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.testsupport.Await;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /admin/cluster} on nodes registered in the Consul stand-in: every node with its own
 * phase, version and applied config version (asked from the peer with the shared admin token), and
 * a drain shows on another node's answer at once, not after the next Consul check.
 */
class ClusterPageConsulTest {
    private static final String TOKEN = "cluster-admin-token-0123";
    @TempDir
    Path dir;
    private ConsulStandin consul;
    private final List<TestGateway> nodes = new ArrayList<>();

    @AfterEach
    void tearDown() {
        nodes.forEach(TestGateway::close);
        if (consul != null) {
            consul.stop();
        }
    }

    private TestGateway start(String id, String token) throws Exception {
        TestGateway g = ConsulNodes.node(consul, id, dir, c -> c,
                n -> n.toBuilder().operations(o -> o.adminToken(token)).build());
        nodes.add(g);
        return g;
    }

    private static HttpResponse<String> call(TestGateway g, String method, String path, String body) throws Exception {
        return TestGateway.http().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.adminPort() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + TOKEN)
                .header("X-Loomgate-Admin", "1")
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, JsonObject> cluster(TestGateway g) {
        try {
            HttpResponse<String> r = call(g, "GET", "/admin/cluster", "");
            assertEquals(200, r.statusCode(), r.body());
            try (var reader = Json.createReader(new StringReader(r.body()))) {
                JsonObject o = reader.readObject();
                assertEquals("consul", o.getString("source"));
                return o.getJsonArray("nodes").stream().map(JsonValue::asJsonObject)
                        .collect(Collectors.toMap(n -> n.getString("id"), n -> n));
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyNodeWithItsOwnStateAndADrainShowsWithinSeconds() throws Exception {
        consul = ConsulNodes.standin();
        TestGateway first = start("node-1", TOKEN);
        start("node-2", TOKEN);
        TestGateway third = start("node-3", TOKEN);
        TestGateway stranger = start("node-4", "another-token-0123456789");

        Map<String, JsonObject> all = Await.value("4 nodes registered and passing", Duration.ofSeconds(15),
                () -> cluster(first), m -> m.size() == 4
                        && m.values().stream().allMatch(n -> n.getString("consulStatus").equals("passing")));
        for (String id : List.of("node-1", "node-2", "node-3")) {
            JsonObject n = all.get(id);
            assertTrue(n.getBoolean("reachable"), n.toString());
            assertTrue(n.getBoolean("ready"), n.toString());
            assertEquals(id.equals("node-1"), n.getBoolean("self"), n.toString());
            assertEquals(first.node().routing().current().version(), n.getString("configVersion"), n.toString());
            assertTrue(n.getJsonNumber("uptimeSeconds").longValue() >= 0, n.toString());
            assertFalse(n.getString("version").isEmpty(), n.toString());
        }
        JsonObject other = all.get("node-4");
        assertFalse(other.getBoolean("reachable"), "a node with another token does not tell its state: " + other);
        assertTrue(other.getString("error").contains("401"), other.toString());
        nodes.remove(stranger);
        stranger.close();

        HttpResponse<String> drain = call(third, "POST", "/admin/drain", "{\"timeout\": \"30s\", \"quiet-period\": \"20s\"}");
        assertEquals(202, drain.statusCode(), drain.body());
        long t0 = System.nanoTime();
        JsonObject drained = Await.value("node-3 shows as draining on node-1", Duration.ofSeconds(3),
                () -> cluster(first).get("node-3"), n -> n != null && n.getBoolean("reachable") && n.getBoolean("draining"));
        assertEquals("draining", drained.getString("phase"));
        assertFalse(drained.getBoolean("ready"));
        // a drain deregisters first; the node stays on the list, still telling its phase
        drained = Await.value("node-3 listed as deregistered and draining", Duration.ofSeconds(10),
                () -> cluster(first).get("node-3"), n -> n != null && n.getString("consulStatus").equals("deregistered"));
        assertTrue(drained.getBoolean("draining"), drained.toString());
        JsonObject stopped = cluster(first).get("node-4");
        assertEquals("deregistered", stopped.getString("consulStatus"), "node-4 is remembered after its stop: " + stopped);
        assertFalse(stopped.getBoolean("reachable"), stopped.toString());
        System.out.printf("drain visible on another node's /admin/cluster after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }
}
