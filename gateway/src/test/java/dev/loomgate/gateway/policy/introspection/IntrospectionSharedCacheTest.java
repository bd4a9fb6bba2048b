package dev.loomgate.gateway.policy.introspection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.testing.OAuth2TestServer;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one real Redis share introspection answers: a token introspected on one node is not introspected
 * again on the other, and one admin eviction (after the IdP revoked the token) holds on both nodes.
 */
class IntrospectionSharedCacheTest {
    @TempDir
    Path dir;

    private static int status(TestGateway node, String token) throws Exception {
        return TestGateway.http().send(HttpRequest.newBuilder(node.uri("/api/x")).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void nodesShareAnswersAndAnEvictionHoldsEverywhere() throws Exception {
        Path secret = dir.resolve("secret");
        Files.writeString(secret, OAuth2TestServer.CLIENT_SECRET);
        List<TestGateway> nodes = new ArrayList<>();
        try (RedisTestServers servers = RedisTestServers.create(); OAuth2TestServer idp = OAuth2TestServer.start();
             TestUpstream upstream = TestUpstream.start("u")) {
            RedisTestServers.Server redis = servers.startServer();
            String routes = """
                    upstreams:
                      - name: backend
                        endpoints: [ %s ]
                    routes:
                      - id: api
                        upstream: backend
                        match: { path-prefix: /api }
                        oauth2-introspection:
                          endpoint: %s
                          client-id: %s
                          client-secret-file: %s
                          cache-ttl: 10m
                    """.formatted(upstream.address(), idp.introspectionUrl(), OAuth2TestServer.CLIENT_ID, secret);
            for (int i = 0; i < 2; i++) {
                nodes.add(TestGateway.start(routes,
                        c -> c.toBuilder().redis(RedisSettings.standalone("127.0.0.1", redis.port())).build()));
            }
            String token = idp.token(Map.of("sub", "judy"));
            int calls = idp.introspections();
            assertEquals(200, status(nodes.get(0), token));
            assertEquals(200, status(nodes.get(1), token));
            assertEquals(200, status(nodes.get(1), token));
            assertEquals(1, idp.introspections() - calls, "introspected once for the cluster");
            assertTrue(nodes.get(1).node().introspectionCache().sharedHits() >= 2);

            idp.revoke(token);
            assertEquals(200, status(nodes.get(1), token), "still cached: the IdP is not asked");
            HttpResponse<String> evicted = TestGateway.http().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + nodes.get(0).adminPort() + "/admin/introspection/evict"))
                    .header("X-Loomgate-Admin", "1")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"token\": \"" + token + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, evicted.statusCode(), evicted.body());
            JsonObject body = Json.createReader(new StringReader(evicted.body())).readObject();
            assertEquals(1, body.getJsonNumber("evictedInSharedStore").longValue(), evicted.body());
            assertEquals(401, status(nodes.get(1), token), "the other node asks again and hears 'inactive'");
            assertEquals(401, status(nodes.get(0), token));

            HttpResponse<String> bad = TestGateway.http().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + nodes.get(0).adminPort() + "/admin/introspection/evict"))
                    .header("X-Loomgate-Admin", "1").POST(HttpRequest.BodyPublishers.ofString("token=" + token)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(400, bad.statusCode());
        } finally {
            nodes.forEach(TestGateway::close);
        }
    }
}
