package dev.loomgate.loadtests.async;

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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.loomgate.loadtests.ProxyOverheadBenchmark;

/**
 * Cost and latency of asynchronous routes (docs/ASYNC.md). Starts redis-server, an nginx origin and one gateway node
 * (its jar, in a child JVM) with a synchronous and an async route to the same origin, then prints: (1) accepted
 * requests per second (202s) on the async route vs answered requests per second on the sync route, both with wrk;
 * (2) end-to-end completion latency (client send to result stored) p50/p99 at a fixed submission rate. Stops
 * everything it started. See bin/bench-async.
 */
public final class AsyncBenchmark {
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern UPDATED = Pattern.compile("\"updated\":(\\d+)");
    private static final Pattern CREATED = Pattern.compile("\"created\":(\\d+)");
    private static final Pattern STATE = Pattern.compile("\"state\":\"([a-z]+)\"");
    private static final String USAGE = """
            usage: bin/bench-async [options]   (or: make bench-async)
              --seconds N       seconds per wrk run and of the fixed-rate run (default 8)
              --rate N          submissions per second of the latency run (default 200)
              --connections N   wrk connections (default 32)
              --threads N       wrk threads (default 2)
              --gateway-jar P   gateway jar (default gateway/target/loomgate-gateway.jar)
            """;

    private final List<Process> started = new ArrayList<>();
    private volatile Path work;

    public static void main(String[] args) throws Exception {
        String jar = "gateway/target/loomgate-gateway.jar";
        int seconds = 8;
        int rate = 200;
        int connections = 32;
        int threads = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    System.out.print(USAGE);
                    return;
                }
                case "--gateway-jar" -> jar = args[++i];
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--connections" -> connections = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("bench-async: unknown option " + args[i] + "\n" + USAGE);
                    System.exit(2);
                }
            }
        }
        AsyncBenchmark bench = new AsyncBenchmark();
        Runtime.getRuntime().addShutdownHook(new Thread(bench::stopAll));
        boolean ok = false;
        try {
            bench.run(Path.of(jar), seconds, rate, connections, threads);
            ok = true;
        } finally {
            bench.stopAll();
            if (bench.work != null) {
                if (ok) {
                    ProxyOverheadBenchmark.deleteTree(bench.work);
                } else {
                    System.err.println("bench-async: configs and logs kept in " + bench.work);
                }
            }
        }
    }

    private void run(Path jar, int seconds, int rate, int connections, int threads) throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run `make build` first");
        }
        work = Files.createTempDirectory("loomgate-bench-async-");
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
        Files.writeString(work.resolve("routes.yaml"), """
                upstreams:
                  - name: nginx
                    endpoints: [ 127.0.0.1:%d ]
                routes:
                  - id: sync
                    upstream: nginx
                    match: { path-prefix: /sync }
                  - id: async
                    upstream: nginx
                    match: { path-prefix: /async }
                    async: { max-queue: 10000000, workers: 32, result-ttl: 10m }
                """.formatted(nginxPort));
        Files.writeString(work.resolve("gateway.yaml"), """
                node: { id: bench, host: 127.0.0.1, port: %d, admin-host: 127.0.0.1, admin-port: %d }
                routes-file: routes.yaml
                access-log: "off"
                redis: { address: "127.0.0.1:%d" }
                """.formatted(gwPort, adminPort, redisPort));
        String java = ProcessHandle.current().info().command().orElse("java");
        start(work.resolve("gateway.log"), java, "-XX:+UseParallelGC", "-jar", jar.toString(), "--config",
                work.resolve("gateway.yaml").toString());
        awaitReady(adminPort);

        String sync = "http://127.0.0.1:" + gwPort + "/sync";
        String async = "http://127.0.0.1:" + gwPort + "/async";
        System.out.printf("warm-up: 3 s per route (wrk -t%d -c%d)%n", threads, connections);
        wrk(sync, 3, threads, connections);
        wrk(async, 3, threads, connections);
        awaitDrained(adminPort, Duration.ofSeconds(120));
        double[] s = wrk(sync, seconds, threads, connections);
        double[] a = wrk(async, seconds, threads, connections);
        System.out.printf("%nsync proxy:  %,.0f req/s answered (non-2xx %d)%n", s[0], (long) s[1]);
        System.out.printf("async route: %,.0f req/s accepted (202; non-2xx %d), ratio %.2f of the sync rate%n",
                a[0], (long) a[1], a[0] / s[0]);
        System.out.println("(the workers drain the queue while wrk runs: accepting and running share the CPU)");
        awaitDrained(adminPort, Duration.ofSeconds(300));
        latency(gwPort, adminPort, rate, seconds);
    }

    /** Submits at a fixed rate, waits for every result, prints client-send-to-result-stored p50/p99. */
    private static void latency(int gwPort, int adminPort, int rate, int seconds) throws Exception {
        List<long[]> jobs = new CopyOnWriteArrayList<>(); // {send ms, index}
        List<String> ids = new CopyOnWriteArrayList<>();
        try (HttpClient http = HttpClient.newHttpClient()) {
            long start = System.nanoTime();
            long period = 1_000_000_000L / rate;
            List<Thread> senders = new ArrayList<>();
            for (int n = 0; n < rate * seconds; n++) {
                long wait = start + n * period - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait)); // pacing the open-model load
                }
                long sent = System.currentTimeMillis();
                senders.add(Thread.ofVirtual().start(() -> {
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gwPort
                                + "/async/lat")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 202) {
                            String loc = r.headers().firstValue("Location").orElseThrow();
                            ids.add(loc.substring(loc.lastIndexOf('/') + 1));
                            jobs.add(new long[] {sent, ids.size() - 1});
                        }
                    } catch (IOException | InterruptedException e) {
                        // counted as not accepted
                    }
                }));
            }
            for (Thread t : senders) {
                t.join();
            }
            long[] sentById = new long[ids.size()];
            for (long[] j : jobs) {
                sentById[(int) j[1]] = j[0];
            }
            List<Double> latencies = new ArrayList<>();
            List<Double> inGateway = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            for (int i = 0; i < ids.size(); i++) {
                while (true) {
                    String job = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort
                            + "/admin/jobs/" + ids.get(i))).build(), HttpResponse.BodyHandlers.ofString()).body();
                    Matcher st = STATE.matcher(job);
                    Matcher up = UPDATED.matcher(job);
                    Matcher cr = CREATED.matcher(job);
                    if (st.find() && up.find() && cr.find() && st.group(1).equals("succeeded")) {
                        latencies.add((double) (Long.parseLong(up.group(1)) - sentById[i]));
                        inGateway.add((double) (Long.parseLong(up.group(1)) - Long.parseLong(cr.group(1))));
                        break;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("job " + ids.get(i) + " not finished within 120 s: " + job);
                    }
                    Thread.sleep(20); // polling a job that is not finished yet
                }
            }
            Collections.sort(latencies);
            Collections.sort(inGateway);
            System.out.printf("%nend-to-end at %d jobs/s for %d s: %d submitted, %d accepted and finished,"
                            + " completion latency (send to result stored) p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
                    rate, seconds, rate * seconds, latencies.size(), pct(latencies, 0.50), pct(latencies, 0.99),
                    latencies.isEmpty() ? 0 : latencies.getLast());
            System.out.printf("  of which in the gateway (job stored to result stored): p50 %.0f ms, p99 %.0f ms%n",
                    pct(inGateway, 0.50), pct(inGateway, 0.99));
        }
    }

    private static double pct(List<Double> sorted, double p) {
        return sorted.isEmpty() ? Double.NaN : sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1));
    }

    /** Until the async route's queue is empty (the admin API's queued + waiting counts). */
    private static void awaitDrained(int adminPort, Duration bound) throws Exception {
        Pattern queued = Pattern.compile("\"queued\":(\\d+),\"waitingRetry\":(\\d+)");
        long deadline = System.nanoTime() + bound.toNanos();
        try (HttpClient http = HttpClient.newHttpClient()) {
            while (System.nanoTime() < deadline) {
                String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort
                        + "/admin/jobs")).build(), HttpResponse.BodyHandlers.ofString()).body();
                Matcher m = queued.matcher(body);
                if (m.find() && m.group(1).equals("0") && m.group(2).equals("0")) {
                    return;
                }
                Thread.sleep(200); // polling the queue length
            }
        }
        throw new IllegalStateException("the async queue did not drain within " + bound.toSeconds() + " s");
    }

    /** {requests/s, non-2xx}. */
    private static double[] wrk(String url, int seconds, int threads, int connections) throws Exception {
        Process p = new ProcessBuilder("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", url)
                .redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("wrk failed:\n" + out);
        }
        Matcher rps = RPS.matcher(out);
        if (!rps.find()) {
            throw new IllegalStateException("cannot read wrk output:\n" + out);
        }
        Matcher non2xx = NON_2XX.matcher(out);
        return new double[] {Double.parseDouble(rps.group(1)), non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0};
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
                Thread.sleep(50); // polling until it listens
            }
        }
        throw new IllegalStateException(what + " did not listen on port " + port + " within 15 s");
    }

    private static void awaitReady(int adminPort) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/health/ready"))
                            .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // not up yet
                }
                Thread.sleep(100); // polling readiness
            }
        }
        throw new IllegalStateException("gateway not ready within 30 s");
    }
}
