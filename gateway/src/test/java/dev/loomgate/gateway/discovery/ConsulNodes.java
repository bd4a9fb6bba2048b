package dev.loomgate.gateway.discovery;

import dev.loomgate.testsupport.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

import dev.loomgate.consul.standin.ConsulStandin;
import dev.loomgate.gateway.cli.LoomgateCli;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.config.ConsulConfig;
import dev.loomgate.gateway.config.NodeConfig;
import dev.loomgate.gateway.testing.TestGateway;

/** Test helpers: gateway nodes on a Consul stand-in, the CLI in-process, polling. */
final class ConsulNodes {
    private ConsulNodes() {
    }

    static ConsulStandin standin() {
        return ConsulStandin.builder().host("127.0.0.1").port(0).build().start();
    }

    /** A node with routes from KV, snapshot file in {@code dir}, given id. */
    static TestGateway node(ConsulStandin consul, String id, Path dir, UnaryOperator<ConsulConfig> customize)
            throws IOException, ConfigException {
        return node(consul, id, dir, customize, n -> n);
    }

    static TestGateway node(ConsulStandin consul, String id, Path dir, UnaryOperator<ConsulConfig> customize,
                            UnaryOperator<NodeConfig> node) throws IOException, ConfigException {
        ConsulConfig c = customize.apply(ConsulConfig.defaults(consul.baseUri()).toBuilder()
                .snapshotFile(dir.resolve(id + "-snapshot.json"))
                .checkInterval(Duration.ofSeconds(1))
                .watchWait(Duration.ofSeconds(30))
                .build());
        return TestGateway.start("routes: []\n", n -> node.apply(n.toBuilder()
                .node(b -> b.id(id))
                .consul(c)
                .build()));
    }

    static List<TestGateway> nodes(ConsulStandin consul, Path dir, int count) throws IOException, ConfigException {
        List<TestGateway> out = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            out.add(node(consul, "node-" + i, dir, c -> c));
        }
        return out;
    }

    record CliResult(int exit, String out, String err) {
    }

    static CliResult cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new LoomgateCli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new CliResult(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static CliResult push(ConsulStandin consul, Path file, String... extra) {
        List<String> args = new ArrayList<>(List.of("--consul", consul.baseUri()));
        args.addAll(List.of(extra));
        args.addAll(List.of("routes", "push", file.toString()));
        return cli(args.toArray(String[]::new));
    }

    static Path write(Path dir, String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    static int status(TestGateway g, String path) {
        try {
            return g.get(path).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    static String body(TestGateway g, String path) {
        try {
            return g.get(path).body();
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    static HttpResponse<String> adminPost(TestGateway g, String path, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.adminPort() + path))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10))
                .header("X-Loomgate-Admin", "1"); // as curl, the CLI and scripts send it (AdminGuard)
        if (headers.length > 0) {
            b.headers(headers);
        }
        return TestGateway.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Raw PUT to the stand-in (agent endpoints the gateway's client does not need, e.g. TTL checks). */
    static int consulPut(ConsulStandin consul, String pathAndQuery, String body) throws IOException, InterruptedException {
        return TestGateway.http().send(HttpRequest.newBuilder(URI.create(consul.baseUri() + pathAndQuery))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** Milliseconds until the condition holds (fails after {@code timeout}). */
    static long timeUntil(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long start = System.nanoTime();
        Await.until(what, timeout, condition);
        return (System.nanoTime() - start) / 1_000_000;
    }
}
