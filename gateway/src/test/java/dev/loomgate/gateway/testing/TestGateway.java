package dev.loomgate.gateway.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

import dev.loomgate.gateway.GatewayNode;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.config.NodeConfig;

/** A real gateway node on free loopback ports with a routes file in a temp directory. */
public final class TestGateway implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Path dir;
    private final Path routesFile;
    private final GatewayNode node;

    private TestGateway(Path dir, Path routesFile, GatewayNode node) {
        this.dir = dir;
        this.routesFile = routesFile;
        this.node = node;
    }

    public static TestGateway start(String routesYaml) throws IOException, ConfigException {
        return start(routesYaml, c -> c);
    }

    public static TestGateway start(String routesYaml, UnaryOperator<NodeConfig> customize) throws IOException, ConfigException {
        Path dir = Files.createTempDirectory("loomgate-test");
        Path routes = dir.resolve("routes.yaml");
        Files.writeString(routes, routesYaml);
        NodeConfig config = NodeConfig.builder()
                .node(n -> n.id("test-node").host("127.0.0.1").port(0).adminHost("127.0.0.1").adminPort(0))
                .routesFile(routes)
                .accessLog("off")
                .drainTimeout(Duration.ofSeconds(2))
                .build();
        try {
            return new TestGateway(dir, routes, GatewayNode.start(customize.apply(config)));
        } catch (IOException | ConfigException | RuntimeException e) {
            // tests that expect the start to fail still leave nothing behind
            dev.loomgate.testsupport.TempDirs.deleteTree(dir);
            throw e;
        }
    }

    public GatewayNode node() {
        return node;
    }

    public int port() {
        return node.port();
    }

    public int adminPort() {
        return node.adminPort();
    }

    public Path dir() {
        return dir;
    }

    public Path routesFile() {
        return routesFile;
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> admin(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public static HttpClient http() {
        return HTTP;
    }

    @Override
    public void close() {
        try {
            node.close();
        } finally {
            dev.loomgate.testsupport.TempDirs.deleteTree(dir);
        }
    }
}
