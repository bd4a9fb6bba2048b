package dev.loomgate.chaos.cluster;

import com.sun.net.httpserver.HttpServer;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code bin/chaos aot-startup}: how a freshly started gateway node serves with and without the AOT cache. Each
 * round starts a node (the local cluster's JVM flags) in front of an upstream in this JVM on 127.0.0.1, sends a
 * request every few milliseconds until the first one through the node is answered (time to first request, from the
 * process start), then keeps 4 keep-alive connections busy for one second (latency of the first second). Rounds
 * alternate without/with so a busy machine taxes both alike; the medians and their ratios are printed.
 */
public final class AotStartupBench {
    static final String USAGE = """
            usage: chaos aot-startup [--rounds N]
              Starts a gateway node N times (default 5) without and with the jar's AOT cache (made first when
              missing, JDK 25+) and prints time to first request and the first second's latency.
            """;
    private static final int CONNECTIONS = 4;
    private static final long FIRST_SECOND_NANOS = 1_000_000_000L;
    private static final long START_TIMEOUT_NANOS = 60_000_000_000L;

    /** One start: time to first request (ms) and the first second's latencies (ms). */
    record Start(boolean aot, double firstRequestMillis, double[] latenciesMillis) {
        double percentile(double p) {
            double[] sorted = latenciesMillis.clone();
            Arrays.sort(sorted);
            return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
        }
    }

    private AotStartupBench() {
    }

    /** Parsed command line; empty when --help was asked. */
    static Optional<Integer> rounds(String[] args) {
        int rounds = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    return Optional.empty();
                }
                case "--rounds" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--rounds needs a number");
                    }
                    try {
                        rounds = Integer.parseInt(args[++i]);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--rounds must be a number, got '" + args[i] + "'");
                    }
                    if (rounds < 1 || rounds > 100) {
                        throw new IllegalArgumentException("--rounds must be 1..100, got " + rounds);
                    }
                }
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        return Optional.of(rounds);
    }

    public static int run(String[] args) throws Exception {
        Optional<Integer> rounds;
        try {
            rounds = rounds(args);
        } catch (IllegalArgumentException e) {
            System.err.println("aot-startup: " + e.getMessage() + "\n" + USAGE);
            return 2;
        }
        if (rounds.isEmpty()) {
            System.out.print(USAGE);
            return 0;
        }
        if (!AotCache.supported(Runtime.version().feature())) {
            System.out.println("aot-startup: skipped, JDK " + Runtime.version().feature() + " has no AOT cache (needs "
                    + AotCache.MIN_FEATURE + ")");
            return 0;
        }
        ClusterSpec spec = ClusterSpec.loopback(ClusterSpec.findRepoRoot());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Optional<Path> cache = AotCache.ensure(java, spec.gatewayJar(), LocalCluster.GATEWAY_JVM_FLAGS,
                System.out::println);
        if (cache.isEmpty()) {
            System.err.println("aot-startup: no AOT cache (see above)");
            return 1;
        }
        HttpServer upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        upstream.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        byte[] body = "hello\n".getBytes(StandardCharsets.UTF_8);
        upstream.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
        });
        upstream.start();
        Path dir = Files.createTempDirectory("loomgate-aot-startup");
        List<Start> starts = new ArrayList<>();
        try {
            for (int r = 1; r <= rounds.get(); r++) {
                for (boolean aot : new boolean[] {false, true}) {
                    Start s = start(java, spec.gatewayJar(), aot ? cache : Optional.empty(), dir,
                            upstream.getAddress().getPort());
                    starts.add(s);
                    System.out.println(line("round " + r, s));
                }
            }
        } finally {
            upstream.stop(0);
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        System.out.println(summary(starts));
        return 0;
    }

    static String line(String label, Start s) {
        return String.format(Locale.ROOT, "%-8s %-7s first request %6.0f ms; first second: %5d requests, p50 %6.2f ms,"
                        + " p99 %7.2f ms, max %7.2f ms", label, s.aot() ? "AOT" : "no AOT", s.firstRequestMillis(),
                s.latenciesMillis().length, s.percentile(0.5), s.percentile(0.99), s.percentile(1.0));
    }

    /** Medians per mode of every figure, and with/without ratios. */
    static String summary(List<Start> starts) {
        StringBuilder sb = new StringBuilder("median of " + starts.size() / 2 + " starts each:\n");
        double[][] figures = new double[2][];
        for (int m = 0; m < 2; m++) {
            boolean aot = m == 1;
            List<Start> mine = starts.stream().filter(s -> s.aot() == aot).toList();
            figures[m] = new double[] {
                    median(mine.stream().mapToDouble(Start::firstRequestMillis).toArray()),
                    median(mine.stream().mapToDouble(s -> s.latenciesMillis().length).toArray()),
                    median(mine.stream().mapToDouble(s -> s.percentile(0.5)).toArray()),
                    median(mine.stream().mapToDouble(s -> s.percentile(0.99)).toArray()),
                    median(mine.stream().mapToDouble(s -> s.percentile(1.0)).toArray())};
            sb.append(String.format(Locale.ROOT, "  %-7s first request %6.0f ms; first second: %5.0f requests, p50 %6.2f ms,"
                    + " p99 %7.2f ms, max %7.2f ms%n", aot ? "AOT" : "no AOT", figures[m][0], figures[m][1], figures[m][2],
                    figures[m][3], figures[m][4]));
        }
        sb.append(String.format(Locale.ROOT, "  AOT/no AOT: first request %.2f, first-second requests %.2f, p99 %.2f,"
                        + " max %.2f", figures[1][0] / figures[0][0], figures[1][1] / figures[0][1],
                figures[1][3] / figures[0][3], figures[1][4] / figures[0][4]));
        return sb.toString();
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static Start start(Path java, Path jar, Optional<Path> cache, Path dir, int upstreamPort) throws Exception {
        int port = freePort();
        int admin = freePort();
        Path routes = dir.resolve("routes.yaml");
        Files.writeString(routes, """
                upstreams:
                  - { name: u, endpoints: [127.0.0.1:%d] }
                routes:
                  - { id: all, upstream: u }
                """.formatted(upstreamPort));
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                node: { id: bench, host: 127.0.0.1, port: %d, admin-host: 127.0.0.1, admin-port: %d }
                routes-file: %s
                access-log: %s
                drain-quiet-period: 1ms
                """.formatted(port, admin, routes, dir.resolve("access.log")));
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(LocalCluster.GATEWAY_JVM_FLAGS);
        cmd.add(cache.map(p -> "-XX:AOTCache=" + p).orElse("-Xshare:auto"));
        cmd.addAll(List.of("-jar", jar.toString(), "--config", config.toString()));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("node.log").toFile())
                .start();
        try {
            double first = Double.NaN;
            while (System.nanoTime() - t0 < START_TIMEOUT_NANOS && p.isAlive()) {
                if (answered(port)) {
                    first = (System.nanoTime() - t0) / 1e6;
                    break;
                }
                Thread.sleep(2); // polling a starting process: nothing to wait on but its port
            }
            if (Double.isNaN(first)) {
                throw new IOException("the node did not answer within 60 s (log: " + dir.resolve("node.log") + ")");
            }
            return new Start(cache.isPresent(), first, firstSecond(port));
        } finally {
            p.destroy(); // SIGTERM: the node drains and exits
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static boolean answered(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(5000);
            exchange(s.getOutputStream(), new BufferedInputStream(s.getInputStream()));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static double[] firstSecond(int port) throws InterruptedException {
        ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        long end = System.nanoTime() + FIRST_SECOND_NANOS;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    s.setSoTimeout(10_000);
                    OutputStream out = s.getOutputStream();
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    while (System.nanoTime() < end) {
                        long t = System.nanoTime();
                        exchange(out, in);
                        latencies.add((System.nanoTime() - t) / 1e6);
                    }
                } catch (IOException e) {
                    System.err.println("aot-startup: a connection failed: " + e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return latencies.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** One keep-alive GET; the node answers with Content-Length (the upstream sends it). */
    private static void exchange(OutputStream out, InputStream in) throws IOException {
        out.write("GET /x HTTP/1.1\r\nHost: bench\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String status = readLine(in);
        if (!status.startsWith("HTTP/1.1 200")) {
            throw new IOException("answer: " + status);
        }
        long length = 0;
        for (String line; !(line = readLine(in)).isEmpty(); ) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Long.parseLong(line.substring(15).trim());
            }
        }
        in.skipNBytes(length);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("closed");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
