package dev.loomgate.loadtests.session;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.loomgate.loadtests.ProxyOverheadBenchmark;

/**
 * Cost of a server-side Redis session on the data path. In one run: starts redis-server, an nginx upstream and one
 * gateway node (its jar, in a child JVM) with four routes to the same upstream: a session read from Redis on every
 * request ({@code client-cache: false}), a session served from the Redis-tracked client cache (the default), a session
 * with {@code local-cache: 1s}, and no session; takes one session cookie, then runs wrk with that cookie against the
 * routes in alternating rounds, prints the median throughput ratios (goal >= 0.8) and p99s, then stops everything it
 * started. See bin/bench-session.
 */
public final class SessionBenchmark {
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern P99 = Pattern.compile("\\s99%\\s+([0-9.]+)(us|ms|s)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");

    private record Round(double rps, double p99Ms, long non2xx) {
    }

    private static final String USAGE = """
            usage: bin/bench-session [options]   (or: make bench-session)
            Throughput of a route with a Redis session (one session, its cookie on every request) vs the same route
            without one, through one gateway node (redis-server, nginx origin and wrk started and stopped here).
              --rounds N            measured rounds (default 3)
              --seconds N           seconds per wrk run (default 8)
              --warmup N            warm-up seconds per route (default 5)
              --connections N       wrk connections (default 32)
              --threads N           wrk threads (default 2)
              --gateway-jar PATH    gateway jar (default gateway/target/loomgate-gateway.jar)
              --help                this text
            """;

    private final List<Process> started = new ArrayList<>();
    private volatile Path work; // the run's temp dir, once made

    public static void main(String[] args) throws Exception {
        String gatewayJar = "gateway/target/loomgate-gateway.jar";
        int rounds = 3;
        int seconds = 8;
        int warmup = 5;
        int connections = 32;
        int threads = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    System.out.print(USAGE);
                    return;
                }
                case "--gateway-jar" -> gatewayJar = args[++i];
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--connections" -> connections = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("bench-session: unknown option " + args[i] + "\n" + USAGE);
                    System.exit(2);
                }
            }
        }
        SessionBenchmark bench = new SessionBenchmark();
        Runtime.getRuntime().addShutdownHook(new Thread(bench::stopAll));
        boolean ok = false;
        try {
            bench.run(Path.of(gatewayJar), rounds, seconds, warmup, connections, threads);
            ok = true;
        } finally {
            bench.stopAll();
            if (bench.work != null) {
                if (ok) {
                    ProxyOverheadBenchmark.deleteTree(bench.work);
                } else {
                    System.err.println("bench-session: configs and logs kept in " + bench.work);
                }
            }
        }
    }

    private void run(Path gatewayJar, int rounds, int seconds, int warmup, int connections, int threads)
            throws Exception {
        if (!Files.isRegularFile(gatewayJar)) {
            throw new IllegalStateException(gatewayJar + " is missing: run `make build` first");
        }
        Path work = Files.createTempDirectory("loomgate-bench-session-");
        this.work = work;
        int redisPort = freePort();
        int nginxPort = freePort();
        int gwPort = freePort();
        int adminPort = freePort();

        start(work.resolve("redis.log"), "redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", work.toString());
        awaitPort(redisPort, "redis-server");

        Path nginxConf = work.resolve("nginx.conf");
        Files.writeString(nginxConf, """
                worker_processes 1;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/nginx-error.log warn;
                events { worker_connections 4096; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/body; proxy_temp_path %1$s/proxy; fastcgi_temp_path %1$s/fastcgi;
                  uwsgi_temp_path %1$s/uwsgi; scgi_temp_path %1$s/scgi;
                  keepalive_requests 10000000; keepalive_timeout 300s;
                  server {
                    listen 127.0.0.1:%2$d;
                    location / { default_type text/plain; return 200 "ok: 100 bytes of body .............................................................\\n"; }
                  }
                }
                """.formatted(work, nginxPort));
        start(work.resolve("nginx.out"), nginx(), "-p", work.toString(), "-c", nginxConf.toString());
        awaitPort(nginxPort, "nginx");

        Path secret = work.resolve("session-secret");
        Files.writeString(secret, "bench-session-secret-" + System.nanoTime() + "-padding-to-32+");
        Files.writeString(work.resolve("routes.yaml"), """
                upstreams:
                  - name: nginx
                    endpoints: [ 127.0.0.1:%d ]
                routes:
                  - id: with-session
                    upstream: nginx
                    match: { path-prefix: /session }
                    session: { keys: [ { id: k1, secret-file: %s } ], client-cache: false }
                  - id: with-session-local-cache
                    upstream: nginx
                    match: { path-prefix: /cached }
                    session: { keys: [ { id: k1, secret-file: %s } ], local-cache: 1s, client-cache: false }
                  - id: with-session-client-cache
                    upstream: nginx
                    match: { path-prefix: /tracked }
                    session: { keys: [ { id: k1, secret-file: %s } ] }
                  - id: without
                    upstream: nginx
                    match: { path-prefix: /plain }
                """.formatted(nginxPort, secret, secret, secret));
        Files.writeString(work.resolve("gateway.yaml"), """
                node: { id: bench, host: 127.0.0.1, port: %d, admin-host: 127.0.0.1, admin-port: %d }
                routes-file: routes.yaml
                access-log: "off"
                redis: { address: "127.0.0.1:%d", read-timeout: 1s }
                """.formatted(gwPort, adminPort, redisPort));
        String java = ProcessHandle.current().info().command().orElse("java");
        start(work.resolve("gateway.log"), java, "-XX:+UseParallelGC", "-jar", gatewayJar.toString(), "--config",
                work.resolve("gateway.yaml").toString());
        awaitReady(adminPort);

        String cookie = awaitCookie("http://127.0.0.1:" + gwPort + "/session/login");
        String withSession = "http://127.0.0.1:" + gwPort + "/session/x";
        String cached = "http://127.0.0.1:" + gwPort + "/cached/x";
        String plain = "http://127.0.0.1:" + gwPort + "/plain/x";
        String tracked = "http://127.0.0.1:" + gwPort + "/tracked/x";
        List<String> urls = List.of(withSession, cached, plain, tracked);
        System.out.printf("warm-up: %d s per route (wrk -t%d -c%d)%n", warmup, threads, connections);
        for (String u : urls) {
            wrk(u, warmup, threads, connections, cookie);
        }
        String before = metrics(adminPort);

        int n = urls.size();
        List<List<Round>> results = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int r = 0; r < rounds; r++) {
            // rotate the order so drift in machine load favours no route
            for (int k = 0; k < n; k++) {
                int which = (r + k) % n;
                results.get(which).add(wrk(urls.get(which), seconds, threads, connections, cookie));
            }
            System.out.printf("round %d: session %,.0f req/s, session + client-cache %,.0f req/s, session + local-cache"
                    + " %,.0f req/s, without %,.0f req/s%n", r + 1, results.get(0).get(r).rps(),
                    results.get(3).get(r).rps(), results.get(1).get(r).rps(), results.get(2).get(r).rps());
        }
        String after = metrics(adminPort);
        double[] rps = new double[n];
        double[] p99 = new double[n];
        long non2xx = 0;
        for (int k = 0; k < n; k++) {
            rps[k] = median(results.get(k).stream().map(Round::rps).toList());
            p99[k] = median(results.get(k).stream().map(Round::p99Ms).toList());
            non2xx += results.get(k).stream().mapToLong(Round::non2xx).sum();
        }
        long created = counter(after, "loomgate_session_created_total") - counter(before, "loomgate_session_created_total");
        long errors = counter(after, "loomgate_session_redis_errors_total")
                - counter(before, "loomgate_session_redis_errors_total");
        System.out.println();
        System.out.printf("RESULT median of %d rounds, wrk -t%d -c%d -d%ds, %d cores, one session for all requests%n",
                rounds, threads, connections, seconds, Runtime.getRuntime().availableProcessors());
        System.out.printf("  with Redis session (every request reads Redis): %,.0f req/s, p99 %.2f ms%n", rps[0], p99[0]);
        System.out.printf("  with session, client-cache (Redis-tracked):     %,.0f req/s, p99 %.2f ms%n", rps[3], p99[3]);
        System.out.printf("  with session, local-cache 1s:                   %,.0f req/s, p99 %.2f ms%n", rps[1], p99[1]);
        System.out.printf("  without session:                                %,.0f req/s, p99 %.2f ms%n", rps[2], p99[2]);
        System.out.printf("  throughput ratio, Redis every request: %.2f (goal >= 0.8) %s%n", rps[0] / rps[2],
                rps[0] / rps[2] >= 0.8 ? "OK" : "BELOW GOAL");
        String hit = "loomgate_session_client_cache_total{event=\"hit\"}";
        String miss = "loomgate_session_client_cache_total{event=\"miss\"}";
        System.out.printf("  throughput ratio, client-cache:        %.2f (goal >= 0.8) %s; cache hits %d, misses %d%n",
                rps[3] / rps[2], rps[3] / rps[2] >= 0.8 ? "OK" : "BELOW GOAL",
                counter(after, hit) - counter(before, hit), counter(after, miss) - counter(before, miss));
        System.out.printf("  throughput ratio, local-cache 1s:      %.2f (one hot session: an upper bound)%n",
                rps[1] / rps[2]);
        System.out.printf("  sessions created while measuring %d (expected 0), session Redis errors %d, non-2xx %d%n",
                created, errors, non2xx);
    }

    /** The session cookie ({@code lg_session=...}) of a new session. */
    private static String awaitCookie(String url) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            for (String h : r.headers().allValues("Set-Cookie")) {
                if (r.statusCode() == 200 && h.startsWith("lg_session=")) {
                    return h.substring(0, h.indexOf(';'));
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no session cookie from " + url + " within 15 s");
    }

    private Process start(Path log, String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(p);
        return p;
    }

    private void stopAll() {
        List<Process> reversed = new ArrayList<>(started);
        Collections.reverse(reversed);
        for (Process p : reversed) {
            p.destroy();
        }
        for (Process p : reversed) {
            try {
                if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        started.clear();
    }

    private static Round wrk(String url, int seconds, int threads, int connections, String cookie) throws Exception {
        Process p = new ProcessBuilder("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--latency",
                "-H", "Cookie: " + cookie, url)
                .redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("wrk failed:\n" + out);
        }
        Matcher rps = RPS.matcher(out);
        Matcher p99 = P99.matcher(out);
        if (!rps.find() || !p99.find()) {
            throw new IllegalStateException("cannot read wrk output:\n" + out);
        }
        double v = Double.parseDouble(p99.group(1));
        double ms = switch (p99.group(2)) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
        };
        Matcher non2xx = NON_2XX.matcher(out);
        return new Round(Double.parseDouble(rps.group(1)), ms, non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0);
    }

    private static String metrics(int adminPort) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static long counter(String metrics, String name) {
        return (long) counter(metrics, name, false);
    }

    /** Sum of all samples of {@code name} (any labels). */
    private static double counter(String metrics, String name, boolean fractional) {
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String nginx() {
        for (String candidate : List.of("/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return "nginx";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException(what + " did not listen on port " + port + " within 15 s");
    }

    private static void awaitReady(int adminPort) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + adminPort + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("gateway not ready within 30 s");
    }
}
