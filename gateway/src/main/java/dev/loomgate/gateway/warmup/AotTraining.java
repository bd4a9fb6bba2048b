package dev.loomgate.gateway.warmup;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import dev.loomgate.gateway.GatewayNode;
import dev.loomgate.gateway.config.NodeConfigParser;
import dev.loomgate.gateway.demo.DemoUpstream;

/**
 * The training workload of the JDK's ahead-of-time cache (JEP 483/514/515): run as
 * {@code java -XX:AOTCacheOutput=FILE -cp loomgate-gateway.jar dev.loomgate.gateway.warmup.AotTraining},
 * it starts a real node (config read from YAML files as {@code Main} does) in front of two in-process
 * demo upstreams on 127.0.0.1, sends it keep-alive GETs and POSTs through routes with the common policies,
 * asks the admin port for readiness and metrics as HAProxy and Prometheus do, drains the node and exits;
 * the JVM then writes the classes it loaded and linked and the method profiles it gathered into FILE.
 * A node started with {@code -XX:AOTCache=FILE} starts with them instead of from nothing.
 *
 * <p>Nothing leaves 127.0.0.1 and nothing is left behind (temp files removed). {@code bin/aot-cache}
 * and the local cluster run it once per gateway jar build.
 */
public final class AotTraining {
    private static final String USAGE = """
            usage: AotTraining [--requests N] [--clients N]
              Drives a node in this JVM (for -XX:AOTCacheOutput); defaults: 20000 requests over 8 connections.
            """;

    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        int requests = 20_000;
        int clients = 8;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--requests" -> requests = positive(args, ++i);
                case "--clients" -> clients = positive(args, ++i);
                case "--help", "-h" -> {
                    System.out.print(USAGE);
                    return;
                }
                default -> {
                    System.err.println("AotTraining: unknown option '" + args[i] + "'\n" + USAGE);
                    System.exit(2);
                }
            }
        }
        long started = System.nanoTime();
        Path dir = Files.createTempDirectory("loomgate-aot-training");
        try (DemoUpstream a = DemoUpstream.start("train-a", "127.0.0.1", 0);
             DemoUpstream b = DemoUpstream.start("train-b", "127.0.0.1", 0)) {
            Path config = writeConfig(dir, a.port(), b.port());
            GatewayNode node = GatewayNode.start(NodeConfigParser.parse(config));
            try {
                long answered = drive(node, requests, clients);
                if (answered < requests) {
                    throw new IllegalStateException("only " + answered + " of " + requests + " training requests answered");
                }
                admin(node.adminPort(), "/health/ready");
                admin(node.adminPort(), "/metrics");
                System.out.printf("aot training: %d requests answered in %d ms%n", answered,
                        (System.nanoTime() - started) / 1_000_000);
            } finally {
                node.drainAndStop(Duration.ofSeconds(5), Duration.ofMillis(1));
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static Path writeConfig(Path dir, int portA, int portB) throws IOException {
        Path routes = dir.resolve("routes.yaml");
        Files.writeString(routes, """
                upstreams:
                  - name: demo
                    endpoints: [127.0.0.1:%1$d, 127.0.0.1:%2$d]
                  - name: demo-lr
                    load-balancer: least-request
                    endpoints: [127.0.0.1:%1$d, 127.0.0.1:%2$d]
                routes:
                  - id: api
                    upstream: demo
                    match: { path-prefix: /api }
                    rewrite: { strip-prefix: true }
                    request-headers: { set: { X-Training: "1" } }
                    response-headers: { set: { Cache-Control: no-store } }
                  - id: users
                    upstream: demo-lr
                    match: { path: "/users/{id}", methods: [GET, POST] }
                    rewrite: { path: "/internal/users/{id}" }
                  - id: rest
                    upstream: demo
                """.formatted(portA, portB));
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                node: { id: aot-training, host: 127.0.0.1, port: 0, admin-host: 127.0.0.1, admin-port: 0 }
                routes-file: %s
                access-log: %s
                """.formatted(routes, dir.resolve("access.log")));
        return config;
    }

    /** Keep-alive requests over {@code clients} connections; returns how many were answered. */
    private static long drive(GatewayNode node, int requests, int clients) throws InterruptedException {
        AtomicLong left = new AtomicLong(requests);
        AtomicLong answered = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), node.port())) {
                    s.setSoTimeout(10_000);
                    OutputStream out = s.getOutputStream();
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    for (long n = left.getAndDecrement(); n > 0; n = left.getAndDecrement()) {
                        out.write(request(n).getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                        readResponse(in);
                        answered.incrementAndGet();
                    }
                } catch (IOException e) {
                    System.err.println("aot training: a connection failed: " + e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return answered.get();
    }

    private static String request(long n) {
        return switch ((int) (n % 4)) {
            case 0 -> "GET /api/hello?n=" + n + " HTTP/1.1\r\nHost: training\r\nUser-Agent: aot\r\n\r\n";
            case 1 -> "GET /users/" + n + " HTTP/1.1\r\nHost: training\r\nAccept: application/json\r\n\r\n";
            case 2 -> "POST /users/" + n + " HTTP/1.1\r\nHost: training\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 13\r\n\r\n{\"name\":\"x\"}\n";
            default -> "GET /static/page HTTP/1.1\r\nHost: training\r\n\r\n";
        };
    }

    /** Reads one response with a Content-Length or chunked body (what the demo upstream sends). */
    private static void readResponse(InputStream in) throws IOException {
        long length = -1;
        boolean chunked = false;
        String line = readLine(in);
        if (!line.startsWith("HTTP/1.1 ")) {
            throw new IOException("not an HTTP/1.1 response: " + line);
        }
        while (!(line = readLine(in)).isEmpty()) {
            String lower = line.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        if (chunked) {
            for (long size; (size = Long.parseLong(readLine(in).split(";")[0].trim(), 16)) > 0; ) {
                in.skipNBytes(size + 2);
            }
            while (!readLine(in).isEmpty()) {
                // trailers
            }
        } else if (length > 0) {
            in.skipNBytes(length);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("connection closed mid-response");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    /** One request to the admin port, read to the end of its body (not of the connection: Helidon keeps it open). */
    private static void admin(int port, String path) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            readResponse(new BufferedInputStream(s.getInputStream()));
        }
    }

    private static int positive(String[] args, int i) {
        if (i >= args.length) {
            System.err.println("AotTraining: " + args[i - 1] + " needs a number\n" + USAGE);
            System.exit(2);
        }
        try {
            int v = Integer.parseInt(args[i]);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // below
        }
        System.err.println("AotTraining: " + args[i - 1] + " must be a positive number, got '" + args[i] + "'");
        System.exit(2);
        return 0;
    }
}
