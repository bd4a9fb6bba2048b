package dev.loomgate.loadtests.cache;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
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
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;

import dev.loomgate.loadtests.ProxyOverheadBenchmark;

/**
 * The response cache, measured (docs/CACHE.md). In one run: redis-server, an nginx origin, nginx with
 * {@code proxy_cache} (keys in a shared-memory zone), an in-process origin that writes a new version on every
 * request, and two gateway nodes (A and B, child JVMs) on the Redis.
 * <ol>
 *   <li>Cross-node staleness: B holds a key in its L1; A purges it; how long B still serves the old version. p50 /
 *   p99 / max over --purges purges (goal p99 <= 50 ms).</li>
 *   <li>Cache hits: wrk on a cached 1 KB response through Loomgate vs nginx proxy_cache, alternating rounds; the
 *   ratio (goal >= 0.8); the node's Redis reads during the hit rounds must be 0 (L1 hits never touch Redis).</li>
 * </ol>
 * See bin/bench-cache.
 */
public final class CacheBenchmark {
    private static final String USAGE = """
            usage: bin/bench-cache [options]   (or: make bench-cache)
              --purges N            staleness samples (default 1000)
              --rounds N            throughput rounds (default 3)
              --seconds N           seconds per wrk run (default 8)
              --connections N       wrk connections (default 32)
              --threads N           wrk threads (default 2)
              --gateway-jar PATH    gateway jar (default gateway/target/loomgate-gateway.jar)
            """;

    private final Procs procs = new Procs();
    private volatile Path work;

    public static void main(String[] args) throws Exception {
        String jar = "gateway/target/loomgate-gateway.jar";
        int purges = 1000;
        int rounds = 3;
        int seconds = 8;
        int connections = 32;
        int threads = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    System.out.print(USAGE);
                    return;
                }
                case "--gateway-jar" -> jar = args[++i];
                case "--purges" -> purges = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--connections" -> connections = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("bench-cache: unknown option " + args[i] + "\n" + USAGE);
                    System.exit(2);
                }
            }
        }
        CacheBenchmark bench = new CacheBenchmark();
        Runtime.getRuntime().addShutdownHook(new Thread(bench.procs::stopAll));
        boolean ok = false;
        try {
            bench.run(Path.of(jar), purges, rounds, seconds, connections, threads);
            ok = true;
        } finally {
            bench.procs.stopAll();
            if (bench.work != null) {
                if (ok) {
                    ProxyOverheadBenchmark.deleteTree(bench.work);
                } else {
                    System.err.println("bench-cache: configs and logs kept in " + bench.work);
                }
            }
        }
    }

    private void run(Path jar, int purges, int rounds, int seconds, int connections, int threads) throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run `make build` first");
        }
        Path work = Files.createTempDirectory("loomgate-bench-cache-");
        this.work = work;
        // nginx workers run as an unprivileged user when started by root: they must traverse the dir to their cache
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        int redisPort = Procs.freePort();
        int originPort = Procs.freePort();
        int nginxCachePort = Procs.freePort();
        procs.start(work.resolve("redis.log"), "redis-server", "--port", Integer.toString(redisPort), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", work.toString());
        Procs.awaitPort(redisPort, "redis-server");
        Path nginxConf = work.resolve("nginx.conf");
        Files.writeString(nginxConf, NginxCache.config(work, originPort, nginxCachePort));
        procs.start(work.resolve("nginx.out"), Procs.nginx(), "-p", work.toString(), "-c", nginxConf.toString());
        Procs.awaitPort(originPort, "nginx origin");
        Procs.awaitPort(nginxCachePort, "nginx proxy_cache");

        // the versioned origin: every request gets a new version, cacheable for an hour
        AtomicLong version = new AtomicLong();
        HttpServer versioned = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        versioned.createContext("/", ex -> {
            byte[] body = ("v" + version.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Cache-Control", "max-age=3600");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        versioned.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        versioned.start();
        try {
            Path routes = work.resolve("routes.yaml");
            Files.writeString(routes, """
                    upstreams:
                      - name: nginx
                        endpoints: [ 127.0.0.1:%d ]
                      - name: versioned
                        endpoints: [ 127.0.0.1:%d ]
                    routes:
                      - id: hit
                        upstream: nginx
                        match: { path-prefix: /hit }
                        cache: on
                      - id: stale
                        upstream: versioned
                        match: { path-prefix: /stale }
                        cache: on
                    """.formatted(originPort, versioned.getAddress().getPort()));
            int[] a = startNode(jar, work, "a", redisPort);
            int[] b = startNode(jar, work, "b", redisPort);
            staleness(a, b, purges);
            throughput(a, nginxCachePort, rounds, seconds, connections, threads);
        } finally {
            versioned.stop(0);
        }
    }

    /** Starts a node; returns {port, adminPort}. */
    private int[] startNode(Path jar, Path work, String id, int redisPort) throws Exception {
        int port = Procs.freePort();
        int admin = Procs.freePort();
        Path conf = work.resolve("gateway-" + id + ".yaml");
        Files.writeString(conf, """
                node: { id: %s, host: 127.0.0.1, port: %d, admin-host: 127.0.0.1, admin-port: %d }
                routes-file: routes.yaml
                access-log: "off"
                redis: { address: "127.0.0.1:%d" }
                """.formatted(id, port, admin, redisPort));
        String java = ProcessHandle.current().info().command().orElse("java");
        procs.start(work.resolve("gateway-" + id + ".log"), java, "-XX:+UseParallelGC", "-jar", jar.toString(),
                "--config", conf.toString());
        Procs.awaitReady(admin);
        return new int[]{port, admin};
    }

    private static void staleness(int[] a, int[] b, int purges) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<Double> millis = new ArrayList<>(purges);
        long polls = 0;
        for (int i = 0; i < purges; i++) {
            String path = "/stale/k" + (i % 20);
            get(http, a[0], path); // A has it (fills L2 on a miss)
            String old = get(http, b[0], path);
            String again = get(http, b[0], path);
            if (!again.equals(old)) {
                throw new IllegalStateException("B did not hold " + path + " in its cache");
            }
            post(http, a[1], "{\"route\":\"stale\",\"host\":\"127.0.0.1\",\"path\":\"" + path + "\"}");
            long purged = System.nanoTime();
            long deadline = purged + Duration.ofSeconds(5).toNanos();
            // B served the old version at most until the first poll that got the new one was sent
            long sent = System.nanoTime();
            while (get(http, b[0], path).equals(old)) {
                polls++;
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("B still serves the purged " + path + " after 5 s");
                }
                sent = System.nanoTime();
            }
            millis.add((sent - purged) / 1e6);
        }
        Collections.sort(millis);
        System.out.printf("%nRESULT cross-node staleness over %d purges (A purges, B polls): p50 %.2f ms, p99 %.2f ms, "
                        + "max %.2f ms (goal p99 <= 50 ms) %s; %d polls saw the old version%n", purges,
                pct(millis, 50), pct(millis, 99), millis.getLast(), pct(millis, 99) <= 50 ? "OK" : "ABOVE GOAL", polls);
    }

    private static void throughput(int[] a, int nginxCachePort, int rounds, int seconds, int connections, int threads)
            throws Exception {
        String lg = "http://127.0.0.1:" + a[0] + "/hit";
        String ng = "http://127.0.0.1:" + nginxCachePort + "/hit";
        System.out.printf("%nwarm-up: %d s each (wrk -t%d -c%d)%n", 3, threads, connections);
        Wrk.run(lg, 3, threads, connections);
        Wrk.run(ng, 3, threads, connections);
        String before = Procs.metrics(a[1]);
        List<Double> lgRps = new ArrayList<>();
        List<Double> ngRps = new ArrayList<>();
        long non2xx = 0;
        for (int r = 0; r < rounds; r++) {
            boolean lgFirst = r % 2 == 0;
            Wrk.Round x = Wrk.run(lgFirst ? lg : ng, seconds, threads, connections);
            Wrk.Round y = Wrk.run(lgFirst ? ng : lg, seconds, threads, connections);
            Wrk.Round l = lgFirst ? x : y;
            Wrk.Round n = lgFirst ? y : x;
            lgRps.add(l.rps());
            ngRps.add(n.rps());
            non2xx += l.non2xx() + n.non2xx();
            System.out.printf("round %d: Loomgate %,.0f req/s (p99 %.2f ms, non-2xx %d), nginx proxy_cache %,.0f req/s "
                    + "(p99 %.2f ms, non-2xx %d)%n", r + 1, l.rps(), l.p99Ms(), l.non2xx(), n.rps(), n.p99Ms(), n.non2xx());
        }
        String after = Procs.metrics(a[1]);
        long l2Reads = Procs.counter(after, "loomgate_cache_l2_reads_total")
                - Procs.counter(before, "loomgate_cache_l2_reads_total");
        long hits = Procs.counter(after, "loomgate_cache_requests_total{route=\"hit\",result=\"hit\"}")
                - Procs.counter(before, "loomgate_cache_requests_total{route=\"hit\",result=\"hit\"}");
        double ratio = median(lgRps) / median(ngRps);
        System.out.printf("%nRESULT cached 1 KB response, median of %d rounds, wrk -t%d -c%d -d%ds, %d cores%n", rounds,
                threads, connections, seconds, Runtime.getRuntime().availableProcessors());
        System.out.printf("  Loomgate (L1 hits): %,.0f req/s; nginx proxy_cache: %,.0f req/s%n", median(lgRps),
                median(ngRps));
        System.out.printf("  throughput ratio: %.2f (goal >= 0.8) %s%n", ratio, ratio >= 0.8 ? "OK" : "BELOW GOAL");
        System.out.printf("  cache hits counted %,d; Redis reads by the cache during the hit rounds: %d (must be 0) %s;"
                + " non-2xx %d%n", hits, l2Reads, l2Reads == 0 ? "OK" : "FAILED", non2xx);
        if (l2Reads != 0) {
            throw new IllegalStateException("L1 hits touched Redis: " + l2Reads + " reads");
        }
    }

    private static String get(HttpClient http, int port, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** Purges through A's admin API; a 503 (Redis did not take it: only A dropped the entry) is retried. */
    private static void post(HttpClient http, int adminPort, String json) throws Exception {
        HttpResponse<String> r = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/admin/cache/purge"))
                    .header("X-Loomgate-Admin", "1").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return;
            }
        }
        throw new IllegalStateException("purge answered " + r.statusCode() + ": " + r.body());
    }

    private static double pct(List<Double> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
