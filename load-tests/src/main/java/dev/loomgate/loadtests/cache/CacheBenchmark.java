package dev.loomgate.loadtests.cache;

import static dev.loomgate.loadtests.WrkBenchOptions.Common.CONNECTIONS;
import static dev.loomgate.loadtests.WrkBenchOptions.Common.ROUNDS;
import static dev.loomgate.loadtests.WrkBenchOptions.Common.SECONDS;
import static dev.loomgate.loadtests.WrkBenchOptions.Common.THREADS;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;

import dev.loomgate.loadtests.BenchBed;
import dev.loomgate.loadtests.GatewayMetrics;
import dev.loomgate.loadtests.LocalHost;
import dev.loomgate.loadtests.ManagedProcesses;
import dev.loomgate.loadtests.Stats;
import dev.loomgate.loadtests.Wrk;
import dev.loomgate.loadtests.WrkBenchOptions;
import dev.loomgate.loadtests.WrkResult;

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
    static final WrkBenchOptions.Spec SPEC = WrkBenchOptions.Spec.of("bench-cache", "")
            .flag("--purges", 1000, "staleness samples")
            .with(ROUNDS, 3, "throughput rounds")
            .with(SECONDS, 8)
            .with(CONNECTIONS, 32)
            .with(THREADS, 2);

    private final BenchBed bed;
    private final Wrk wrk;

    private CacheBenchmark(BenchBed bed, int threads, int connections) {
        this.bed = bed;
        this.wrk = new Wrk(bed.processes(), bed.work(), threads, connections);
    }

    public static void main(String[] args) throws Exception {
        Optional<WrkBenchOptions> parsed = SPEC.parseOrExit(args);
        if (parsed.isEmpty()) {
            return;
        }
        WrkBenchOptions o = parsed.get();
        Path jar = o.gatewayJar();
        int purges = o.value("--purges"), rounds = o.rounds(), seconds = o.seconds();
        int connections = o.connections(), threads = o.threads();
        BenchBed.runGatewayBench("bench-cache", jar, bed -> new CacheBenchmark(bed, threads, connections)
                .run(jar, purges, rounds, seconds, connections, threads));
    }

    private void run(Path jar, int purges, int rounds, int seconds, int connections, int threads) throws Exception {
        List<Integer> ports = LocalHost.freePorts(3);
        int redisPort = ports.get(0);
        int originPort = ports.get(1);
        int nginxCachePort = ports.get(2);
        bed.redis(redisPort);
        ManagedProcesses.Started nginx = bed.nginx("nginx", NginxCache.config(bed.dir("nginx"), originPort,
                nginxCachePort));
        LocalHost.awaitListening("nginx origin", originPort, nginx, Duration.ofSeconds(15));
        LocalHost.awaitListening("nginx proxy_cache", nginxCachePort, nginx, Duration.ofSeconds(15));

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
            String routes = """
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
                    """.formatted(originPort, versioned.getAddress().getPort());
            int[] a = startNode(jar, routes, "a", redisPort);
            int[] b = startNode(jar, routes, "b", redisPort);
            staleness(a, b, purges);
            throughput(a, nginxCachePort, rounds, seconds, connections, threads);
        } finally {
            versioned.stop(0);
        }
    }

    /** Starts a node; returns {port, adminPort}. */
    private int[] startNode(Path jar, String routes, String id, int redisPort) throws Exception {
        List<Integer> ports = LocalHost.freePorts(2);
        int port = ports.get(0);
        int admin = ports.get(1);
        ManagedProcesses.Started node = bed.gateway(id, jar, List.of("-XX:+UseParallelGC"), port, admin, routes,
                "redis: { address: \"127.0.0.1:%d\" }\n".formatted(redisPort));
        BenchBed.awaitReady("gateway " + id, node, admin);
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
                Stats.percentile(millis, 0.50), Stats.percentile(millis, 0.99), millis.getLast(),
                Stats.percentile(millis, 0.99) <= 50 ? "OK" : "ABOVE GOAL", polls);
    }

    private void throughput(int[] a, int nginxCachePort, int rounds, int seconds, int connections, int threads)
            throws Exception {
        String lg = "http://127.0.0.1:" + a[0] + "/hit";
        String ng = "http://127.0.0.1:" + nginxCachePort + "/hit";
        System.out.printf("%nwarm-up: %d s each (wrk -t%d -c%d)%n", 3, threads, connections);
        wrk.counting("warmup-loomgate", lg, 3);
        wrk.counting("warmup-nginx", ng, 3);
        String before = GatewayMetrics.text(a[1]);
        List<Double> lgRps = new ArrayList<>();
        List<Double> ngRps = new ArrayList<>();
        long non2xx = 0;
        for (int r = 0; r < rounds; r++) {
            boolean lgFirst = r % 2 == 0;
            WrkResult x = lgFirst ? wrk.counting("loomgate", lg, seconds) : wrk.counting("nginx", ng, seconds);
            WrkResult y = lgFirst ? wrk.counting("nginx", ng, seconds) : wrk.counting("loomgate", lg, seconds);
            WrkResult l = lgFirst ? x : y;
            WrkResult n = lgFirst ? y : x;
            lgRps.add(l.requestsPerSec());
            ngRps.add(n.requestsPerSec());
            non2xx += l.non2xx3xx() + n.non2xx3xx();
            System.out.printf("round %d: Loomgate %,.0f req/s (p99 %.2f ms, non-2xx %d), nginx proxy_cache %,.0f req/s "
                    + "(p99 %.2f ms, non-2xx %d)%n", r + 1, l.requestsPerSec(), l.p99Micros() / 1000, l.non2xx3xx(),
                    n.requestsPerSec(), n.p99Micros() / 1000, n.non2xx3xx());
        }
        String after = GatewayMetrics.text(a[1]);
        long l2Reads = counter(after, "loomgate_cache_l2_reads_total") - counter(before, "loomgate_cache_l2_reads_total");
        String hitSeries = "loomgate_cache_requests_total{route=\"hit\",result=\"hit\"}";
        long hits = counter(after, hitSeries) - counter(before, hitSeries);
        double ratio = Stats.median(lgRps) / Stats.median(ngRps);
        System.out.printf("%nRESULT cached 1 KB response, median of %d rounds, wrk -t%d -c%d -d%ds, %d cores%n", rounds,
                threads, connections, seconds, Runtime.getRuntime().availableProcessors());
        System.out.printf("  Loomgate (L1 hits): %,.0f req/s; nginx proxy_cache: %,.0f req/s%n", Stats.median(lgRps),
                Stats.median(ngRps));
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

    /** A counter's value, 0 before the node first counts it. */
    private static long counter(String metrics, String name) {
        return GatewayMetrics.counter(metrics, name).orElse(0L);
    }
}
