package dev.loomgate.loadtests.consul;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Route propagation through Consul KV: the Consul stand-in, a demo upstream and three gateway
 * nodes (each in its own JVM, routes from KV). Each round adds a route with {@code bin/loomgate
 * routes push} (the CLI in its own JVM, as an operator runs it) and measures the time from the
 * push command returning until every node serves the new route. Prints p50/p99/max over the
 * rounds; the goal is p99 <= 500 ms.
 */
public final class ConsulPropagationBenchmark {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> started = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        ConsulBenchOptions o;
        try {
            o = ConsulBenchOptions.parse(List.of(args));
        } catch (IllegalArgumentException e) {
            System.err.println("bench-consul: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (o.help()) {
            System.out.println(ConsulBenchOptions.USAGE);
            return;
        }
        ConsulPropagationBenchmark bench = new ConsulPropagationBenchmark();
        Runtime.getRuntime().addShutdownHook(new Thread(bench::stopAll));
        try {
            bench.run(Path.of(o.gatewayJar()).toAbsolutePath(), Path.of(o.standinJar()).toAbsolutePath(), o.pushes(),
                    o.warmup(), o.routes());
        } finally {
            bench.stopAll();
        }
    }

    private void run(Path gatewayJar, Path standinJar, int pushes, int warmup, int tableSize) throws Exception {
        for (Path jar : List.of(gatewayJar, standinJar)) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is missing: run `make build` first");
            }
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        Path work = Files.createTempDirectory("loomgate-bench-consul-");
        int consulPort = freePort();
        int upstreamPort = freePort();
        start(work.resolve("consul.log"), java, "-jar", standinJar.toString(), "--port", Integer.toString(consulPort));
        start(work.resolve("upstream.log"), java, "-cp", gatewayJar.toString(), "dev.loomgate.gateway.demo.DemoUpstream",
                "--host", "127.0.0.1", Integer.toString(upstreamPort));
        awaitPort(consulPort, "consul stand-in");
        awaitPort(upstreamPort, "demo upstream");
        String consul = "127.0.0.1:" + consulPort;

        StringBuilder routes = new StringBuilder();
        Path file = work.resolve("routes.yaml");
        RoutesFile routesFile = new RoutesFile(file, upstreamPort, tableSize);
        routesFile.write("b0", routes);
        long initialStart = System.nanoTime();
        check(push(java, gatewayJar, consul, file, work), "initial push");
        long initialMillis = (System.nanoTime() - initialStart) / 1_000_000;
        if (tableSize > 0) {
            System.out.printf("initial push of %,d routes (%,d bytes of YAML, one KV key per route): %,d ms"
                    + " (CLI in its own JVM: validate, write every key, commit)%n", tableSize, Files.size(file), initialMillis);
        }

        int[] ports = new int[3];
        int[] admins = new int[3];
        for (int n = 0; n < 3; n++) {
            ports[n] = freePort();
            admins[n] = freePort();
            Path cfg = work.resolve("node-" + n + ".yaml");
            Files.writeString(cfg, """
                    node: { id: bench-%d, host: 127.0.0.1, port: %d, admin-host: 127.0.0.1, admin-port: %d }
                    access-log: "off"
                    consul:
                      addresses: [ "%s" ]
                      snapshot-file: node-%d-snapshot.json
                      register: true
                    """.formatted(n, ports[n], admins[n], consul, n) + routesFile.nodeLimits());
            start(work.resolve("node-" + n + ".log"), java, "-XX:+UseParallelGC", tableSize > 0 ? "-Xmx512m" : "-Xmx256m", "-jar",
                    gatewayJar.toString(), "--config", cfg.toString());
        }
        for (int n = 0; n < 3; n++) {
            awaitReady(admins[n]);
        }
        if (tableSize > 0) {
            // the nodes started while the table was already in KV: wait until each serves a route from it
            for (int n = 0; n < 3; n++) {
                awaitServed("http://127.0.0.1:" + ports[n] + RoutesFile.PROBE_PATH, Duration.ofSeconds(120), "node " + n);
            }
        }
        System.out.printf("3 nodes ready%s; %d warm-up pushes, then %d measured pushes, each adding one route"
                + " (CLI in its own JVM per push)%n", tableSize > 0 ? String.format(" with %,d routes", tableSize) : "",
                warmup, pushes);

        long[] millis = new long[pushes];
        for (int i = 1 - warmup; i <= pushes; i++) {
            routes.append("""
                      - id: r%1$d
                        upstream: %2$s
                        match: { path-prefix: /r%1$d }
                    """.formatted(i + warmup, routesFile.upstreamName()));
            routesFile.write("b" + (i + warmup), routes);
            check(push(java, gatewayJar, consul, file, work), "push " + i);
            long pushed = System.nanoTime();
            for (int n = 0; n < 3; n++) {
                String url = "http://127.0.0.1:" + ports[n] + "/r" + (i + warmup) + "/x";
                long deadline = pushed + TimeUnit.SECONDS.toNanos(30);
                while (status(url) != 200) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("node " + n + " did not serve /r" + i + " within 30 s");
                    }
                    Thread.sleep(2);
                }
            }
            if (i >= 1) {
                millis[i - 1] = (System.nanoTime() - pushed) / 1_000_000;
            }
        }
        long[] sorted = millis.clone();
        Arrays.sort(sorted);
        System.out.printf("route propagation, push returned -> all 3 nodes serve it, %d pushes%s:%n", pushes,
                tableSize > 0 ? String.format(" of a %,d-route table", tableSize + 1) : "");
        // the 500 ms goal is the small table's; for a large table the issue asks for the figures only
        String goal = tableSize > 0 ? "no goal for this size, printed only"
                : "goal: p99 <= 500 ms: " + (percentile(sorted, 99) <= 500 ? "met" : "MISSED");
        System.out.printf("  p50 %d ms   p99 %d ms   max %d ms   min %d ms   (%s)%n",
                percentile(sorted, 50), percentile(sorted, 99), sorted[sorted.length - 1], sorted[0], goal);
        System.out.println("  all: " + Arrays.toString(millis));
        System.out.println("  logs: " + work);
    }

    private static long percentile(long[] sorted, int p) {
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    private int push(String java, Path jar, String consul, Path file, Path work) throws Exception {
        Process p = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp", jar.toString(),
                "dev.loomgate.gateway.cli.LoomgateCli", "--consul", consul, "routes", "push", file.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("push.log").toFile()))
                .start();
        try {
            // a 10,000-route push validates and compares every route: give it longer on a busy box
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                throw new IllegalStateException("push did not finish in 180 s");
            }
            return p.exitValue();
        } finally {
            p.destroyForcibly();
        }
    }

    private static void check(int exit, String what) {
        if (exit != 0) {
            throw new IllegalStateException(what + " failed with exit code " + exit + " (see push.log)");
        }
    }

    private static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void start(Path log, String... cmd) throws IOException {
        started.add(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(log.toFile()).directory(log.getParent().toFile()).start());
    }

    private void stopAll() {
        for (Process p : started) {
            p.destroy();
        }
        for (Process p : started) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
        started.clear();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException(what + " did not start listening on " + port);
    }

    private static void awaitServed(String url, Duration within, String who) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (status(url) != 200) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(who + " did not serve " + url + " within " + within.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }

    private static void awaitReady(int adminPort) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (status("http://127.0.0.1:" + adminPort + "/health/ready") == 200) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("node with admin port " + adminPort + " not ready in 60 s");
    }
}
