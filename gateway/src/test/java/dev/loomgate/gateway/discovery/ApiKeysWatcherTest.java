package dev.loomgate.gateway.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.loomgate.consul.standin.ConsulStandin;
import dev.loomgate.gateway.consul.ConsulClient;
import dev.loomgate.gateway.consul.ConsulSettings;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loomgate keys create|list|revoke} against a Consul stand-in, and two nodes with an
 * {@code api-key: { keys-from: consul }} route picking each change up live.
 */
class ApiKeysWatcherTest {
    @TempDir
    Path dir;

    private static int status(TestGateway node, String key) {
        try {
            return TestGateway.http().send(HttpRequest.newBuilder(node.uri("/api/x")).timeout(Duration.ofSeconds(10))
                    .header("X-Api-Key", key).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void keysCreatedAndRevokedWithTheCliTakeEffectOnEveryNode() throws Exception {
        Path pepper = dir.resolve("pepper");
        Files.writeString(pepper, "cluster-wide-pepper-0123");
        ConsulStandin consul = ConsulNodes.standin();
        List<TestGateway> nodes = new ArrayList<>();
        try (TestUpstream upstream = TestUpstream.start("u")) {
            Path routes = ConsulNodes.write(dir, "routes.yaml", """
                    upstreams:
                      - name: backend
                        endpoints: [ %s ]
                    routes:
                      - id: api
                        upstream: backend
                        match: { path-prefix: /api }
                        api-key:
                          keys-from: consul
                          pepper-file: %s
                          forward-headers: { consumer: X-Consumer-Id }
                    """.formatted(upstream.address(), pepper));
            nodes.addAll(ConsulNodes.nodes(consul, dir, 2));
            assertEquals(0, ConsulNodes.push(consul, routes).exit());
            for (TestGateway n : nodes) {
                Await.until("routes applied on " + n.port(), Duration.ofSeconds(20),
                        () -> n.node().routing().current().routeIds().contains("api"));
            }

            ConsulNodes.CliResult created = ConsulNodes.cli("--consul", consul.baseUri(), "keys", "create", "billing",
                    "--pepper-file", pepper.toString(), "--scopes", "orders:read");
            assertEquals(0, created.exit(), created.err());
            String key = created.out().strip();
            assertTrue(key.startsWith("lgk_"), created.out());
            String id = key.substring(4, 12);
            for (TestGateway n : nodes) {
                Await.until("the new key admitted on " + n.port(), Duration.ofSeconds(20), () -> status(n, key) == 200);
            }
            assertEquals("billing", upstream.received().getLast().header("X-Consumer-Id"));

            ConsulNodes.CliResult listed = ConsulNodes.cli("--consul", consul.baseUri(), "keys", "list");
            assertEquals(0, listed.exit(), listed.err());
            assertTrue(listed.out().contains(id + "  billing  orders:read"), listed.out());
            assertFalse(listed.out().contains(key), "list never shows a key");
            String stored;
            try (ConsulClient client = new ConsulClient(new ConsulSettings(List.of(java.net.URI.create(consul.baseUri())),
                    java.util.Optional.empty(), java.util.Optional.empty(), Duration.ofSeconds(3), Duration.ofSeconds(10)))) {
                stored = client.kvGet(ApiKeysWatcher.folder("loomgate/") + id).orElseThrow().valueUtf8();
            }
            assertFalse(stored.contains(key.substring(13)), "Consul holds the hash, not the key");

            ConsulNodes.CliResult revoked = ConsulNodes.cli("--consul", consul.baseUri(), "keys", "revoke", id);
            assertEquals(0, revoked.exit(), revoked.err());
            for (TestGateway n : nodes) {
                Await.until("the revoked key refused on " + n.port(), Duration.ofSeconds(20), () -> status(n, key) == 401);
            }
            assertEquals(1, ConsulNodes.cli("--consul", consul.baseUri(), "keys", "revoke", id).exit(), "gone");
            assertEquals(2, ConsulNodes.cli("--consul", consul.baseUri(), "keys", "create", "x").exit(), "no pepper");
        } finally {
            nodes.forEach(TestGateway::close);
            consul.stop();
        }
    }
}
