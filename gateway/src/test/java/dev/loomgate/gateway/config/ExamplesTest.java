package dev.loomgate.gateway.config;

import dev.loomgate.gateway.testing.Rewrites;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.loomgate.gateway.route.RouteMatch;
import dev.loomgate.gateway.route.RouteTable;
import dev.loomgate.gateway.route.TestRequest;
import dev.loomgate.gateway.upstream.Endpoint;

/** The shipped examples parse, and route the way their comments say. */
class ExamplesTest {

    private static String resource(String name) throws Exception {
        try (InputStream in = ExamplesTest.class.getResourceAsStream("/examples/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void exampleGatewayYamlPointsAtTheExampleRoutes(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("gateway.yaml"), resource("gateway.yaml"));
        Files.writeString(dir.resolve("routes.yaml"), resource("routes.yaml"));
        NodeConfig config = NodeConfigParser.parse(dir.resolve("gateway.yaml"));
        assertEquals("gw-1", config.node().id());
        assertEquals(100L << 20, config.limits().maxBodySize());
        assertEquals(dir.toAbsolutePath().resolve("routes.yaml"), config.routesFile());

        RoutesDocument doc = RoutesParser.parse(config.routesFile());
        assertEquals("example-1", doc.version());
        assertEquals(List.of(new Endpoint("127.0.0.1", 9001, 1), new Endpoint("127.0.0.1", 9002, 2)),
                doc.upstreams().get(0).endpoints());
        RouteTable table = doc.routeTable();

        RouteMatch api = table.match(TestRequest.get("/api/users/42")).orElseThrow();
        assertEquals("api", api.route().id());
        assertEquals("/users/42", Rewrites.upstreamPath(doc, api));

        RouteMatch user = table.match(TestRequest.get("/users/42")).orElseThrow();
        assertEquals("user-by-id", user.route().id());
        assertEquals("/internal/users/42", Rewrites.upstreamPath(doc, user));

        assertEquals("canary", table.match(TestRequest.get("/x").withHeader("X-Canary", "true")).orElseThrow().route().id());
        assertTrue(table.match(TestRequest.get("/x")).isEmpty(), "no catch-all route: the demo shows a 404");
        assertEquals(3, table.routes().size());
    }
}
