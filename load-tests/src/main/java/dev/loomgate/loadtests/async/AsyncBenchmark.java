package dev.loomgate.loadtests.async;

import static dev.loomgate.loadtests.WrkBenchOptions.Common.CONNECTIONS;
import static dev.loomgate.loadtests.WrkBenchOptions.Common.SECONDS;
import static dev.loomgate.loadtests.WrkBenchOptions.Common.THREADS;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.loomgate.loadtests.BenchBed;
import dev.loomgate.loadtests.ManagedProcesses;
import dev.loomgate.loadtests.Stats;
import dev.loomgate.loadtests.Wrk;
import dev.loomgate.loadtests.WrkBenchOptions;
import dev.loomgate.loadtests.WrkResult;

/**
 * Cost and latency of asynchronous routes (docs/ASYNC.md). Starts redis-server, an nginx origin and one gateway node
 * (its jar, in a child JVM) with a synchronous and an async route to the same origin, then prints: (1) accepted
 * requests per second (202s) on the async route vs answered requests per second on the sync route, both with wrk;
 * (2) end-to-end completion latency (client send to result stored) p50/p99 at a fixed submission rate. Stops
 * everything it started. See bin/bench-async.
 */
public final class AsyncBenchmark {
    private static final Pattern UPDATED = Pattern.compile("\"updated\":(\\d+)");
    private static final Pattern CREATED = Pattern.compile("\"created\":(\\d+)");
    private static final Pattern STATE = Pattern.compile("\"state\":\"([a-z]+)\"");
    static final WrkBenchOptions.Spec SPEC = WrkBenchOptions.Spec.of("bench-async", "")
            .with(SECONDS, 8, "seconds per wrk run and of the fixed-rate run")
            .flag("--rate", 200, "submissions per second of the latency run")
            .with(CONNECTIONS, 32)
            .with(THREADS, 2);

    private final BenchBed bed;
    private final Wrk wrk;

    private AsyncBenchmark(BenchBed bed, int threads, int connections) {
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
        int seconds = o.seconds(), rate = o.value("--rate"), threads = o.threads(), connections = o.connections();
        BenchBed.runGatewayBench("bench-async", jar,
                bed -> new AsyncBenchmark(bed, threads, connections).run(jar, seconds, rate, threads, connections));
    }

    private void run(Path jar, int seconds, int rate, int threads, int connections) throws Exception {
        BenchBed.RedisOrigin bedPorts = bed.redisAndOrigin();
        int redisPort = bedPorts.redisPort(), nginxPort = bedPorts.originPort();
        int gwPort = bedPorts.gatewayPort(), adminPort = bedPorts.adminPort();
        String routes = """
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
                """.formatted(nginxPort);
        ManagedProcesses.Started node = bed.gateway("bench", jar, List.of("-XX:+UseParallelGC"), gwPort, adminPort,
                routes, "redis: { address: \"127.0.0.1:%d\" }\n".formatted(redisPort));
        BenchBed.awaitReady("gateway", node, adminPort);

        String sync = "http://127.0.0.1:" + gwPort + "/sync";
        String async = "http://127.0.0.1:" + gwPort + "/async";
        System.out.printf("warm-up: 3 s per route (wrk -t%d -c%d)%n", threads, connections);
        wrk.counting("warmup-sync", sync, 3);
        wrk.counting("warmup-async", async, 3);
        awaitDrained(adminPort, Duration.ofSeconds(120));
        WrkResult s = wrk.counting("sync", sync, seconds);
        WrkResult a = wrk.counting("async", async, seconds);
        System.out.printf("%nsync proxy:  %,.0f req/s answered (non-2xx %d)%n", s.requestsPerSec(), s.non2xx3xx());
        System.out.printf("async route: %,.0f req/s accepted (202; non-2xx %d), ratio %.2f of the sync rate%n",
                a.requestsPerSec(), a.non2xx3xx(), a.requestsPerSec() / s.requestsPerSec());
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
                    rate, seconds, rate * seconds, latencies.size(), Stats.percentile(latencies, 0.50), Stats.percentile(latencies, 0.99),
                    latencies.isEmpty() ? 0 : latencies.getLast());
            System.out.printf("  of which in the gateway (job stored to result stored): p50 %.0f ms, p99 %.0f ms%n",
                    Stats.percentile(inGateway, 0.50), Stats.percentile(inGateway, 0.99));
        }
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
}
