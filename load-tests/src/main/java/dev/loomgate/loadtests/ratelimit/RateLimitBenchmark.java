package dev.loomgate.loadtests.ratelimit;

import static dev.loomgate.loadtests.WrkBenchOptions.Common.CONNECTIONS;
import static dev.loomgate.loadtests.WrkBenchOptions.Common.ROUNDS;
import static dev.loomgate.loadtests.WrkBenchOptions.Common.SECONDS;
import static dev.loomgate.loadtests.WrkBenchOptions.Common.THREADS;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.loomgate.loadtests.BenchBed;
import dev.loomgate.loadtests.GatewayMetrics;
import dev.loomgate.loadtests.ManagedProcesses;
import dev.loomgate.loadtests.Stats;
import dev.loomgate.loadtests.Wrk;
import dev.loomgate.loadtests.WrkBenchOptions;
import dev.loomgate.loadtests.WrkResult;

/**
 * Cost of a cluster-wide rate limit on the data path. In one run: starts redis-server, an nginx upstream and one
 * gateway node (its jar, in a child JVM) with two routes to the same upstream, one with a Redis-backed limit that is
 * never hit (10^9/s, key: route, i.e. one hot key) and one without; warms both up, runs wrk against them in
 * alternating rounds, prints the median throughput ratio (goal >= 0.8) and p99 of both, then stops everything it
 * started. JDK only; see bin/bench-ratelimit.
 */
public final class RateLimitBenchmark {
    static final WrkBenchOptions.Spec SPEC = WrkBenchOptions.Spec.of("bench-ratelimit", """
            Throughput of a route with a shared Redis rate limit that is never hit vs the same route without one,
            through one gateway node (redis-server, nginx origin and wrk started and stopped here).""")
            .with(ROUNDS, 3)
            .with(SECONDS, 8)
            .with(CONNECTIONS, 32)
            .with(THREADS, 2)
            .text("--latency-budget", "D", "5ms", "[0-9]+(ms|s)",
                    "Redis latency budget before the local fallback (ms or s)")
            .text("--sync", "MODE", "reserving", "reserving|batching|none|delaying",
                    "reserving | batching | none | delaying");


    private final BenchBed bed;
    private final Wrk wrk;

    private RateLimitBenchmark(BenchBed bed, int threads, int connections) {
        this.bed = bed;
        this.wrk = new Wrk(bed.processes(), bed.work(), threads, connections);
    }

    public static void main(String[] args) throws Exception {
        Optional<WrkBenchOptions> parsed = SPEC.parseOrExit(args);
        if (parsed.isEmpty()) {
            return;
        }
        WrkBenchOptions o = parsed.get();
        int rounds = o.rounds(), seconds = o.seconds(), connections = o.connections(), threads = o.threads();
        String latencyBudget = o.text("--latency-budget"), sync = o.text("--sync");
        BenchBed.runGatewayBench("bench-ratelimit", o.gatewayJar(), bed -> new RateLimitBenchmark(bed, threads,
                connections).run(o.gatewayJar(), rounds, seconds, connections, threads, latencyBudget, sync));
    }

    private void run(Path gatewayJar, int rounds, int seconds, int connections, int threads, String latencyBudget,
                     String sync) throws Exception {
        BenchBed.RedisOrigin bedPorts = bed.redisAndOrigin();
        int redisPort = bedPorts.redisPort(), nginxPort = bedPorts.originPort();
        int gwPort = bedPorts.gatewayPort(), adminPort = bedPorts.adminPort();

        String routes = """
                upstreams:
                  - name: nginx
                    endpoints: [ 127.0.0.1:%d ]
                routes:
                  - id: limited
                    upstream: nginx
                    match: { path-prefix: /limited }
                    rate-limit: { key: route, limit: 1000000000, per: 1s, sync: %s }
                  - id: unlimited
                    upstream: nginx
                    match: { path-prefix: /unlimited }
                """.formatted(nginxPort, sync.equals("delaying")
                ? "delaying, max-unsynchronized-tokens: 100, max-unsynchronized-time: 100ms" : sync);
        ManagedProcesses.Started node = bed.gateway("bench", gatewayJar, List.of("-XX:+UseParallelGC"), gwPort,
                adminPort, routes, """
                redis: { address: "127.0.0.1:%d" }
                rate-limiter: { latency-budget: %s }
                """.formatted(redisPort, latencyBudget));
        BenchBed.awaitReady("gateway", node, adminPort);

        String limited = "http://127.0.0.1:" + gwPort + "/limited";
        String unlimited = "http://127.0.0.1:" + gwPort + "/unlimited";
        System.out.printf("warm-up: %d s per route (wrk -t%d -c%d)%n", 5, threads, connections);
        wrk.counting("warmup-limited", limited, 5);
        wrk.counting("warmup-unlimited", unlimited, 5);
        String before = GatewayMetrics.text(adminPort);

        List<WrkResult> withLimit = new ArrayList<>();
        List<WrkResult> without = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            // alternate the order so drift in machine load does not favour one route
            boolean limitedFirst = r % 2 == 0;
            WrkResult a = limitedFirst ? wrk.counting("limited", limited, seconds)
                    : wrk.counting("unlimited", unlimited, seconds);
            WrkResult b = limitedFirst ? wrk.counting("unlimited", unlimited, seconds)
                    : wrk.counting("limited", limited, seconds);
            WrkResult l = limitedFirst ? a : b;
            WrkResult u = limitedFirst ? b : a;
            withLimit.add(l);
            without.add(u);
            System.out.printf("round %d: with limit %,.0f req/s (p99 %.2f ms), without %,.0f req/s (p99 %.2f ms)%n",
                    r + 1, l.requestsPerSec(), p99Ms(l), u.requestsPerSec(), p99Ms(u));
        }
        String after = GatewayMetrics.text(adminPort);
        double rpsL = Stats.median(withLimit.stream().map(WrkResult::requestsPerSec).toList());
        double rpsU = Stats.median(without.stream().map(WrkResult::requestsPerSec).toList());
        double p99L = Stats.median(withLimit.stream().map(RateLimitBenchmark::p99Ms).toList());
        double p99U = Stats.median(without.stream().map(RateLimitBenchmark::p99Ms).toList());
        long non2xx = withLimit.stream().mapToLong(WrkResult::non2xx3xx).sum()
                + without.stream().mapToLong(WrkResult::non2xx3xx).sum();
        long fallback = counter(after, "loomgate_ratelimit_fallback_decisions_total") - counter(before,
                "loomgate_ratelimit_fallback_decisions_total");
        long redisCalls = counter(after, "loomgate_ratelimit_redis_duration_seconds_count") - counter(before,
                "loomgate_ratelimit_redis_duration_seconds_count");
        double redisSeconds = GatewayMetrics.sum(after, "loomgate_ratelimit_redis_duration_seconds_sum").orElse(0.0)
                - GatewayMetrics.sum(before, "loomgate_ratelimit_redis_duration_seconds_sum").orElse(0.0);
        long decisions = counter(after, "loomgate_ratelimit_decisions_total") - counter(before,
                "loomgate_ratelimit_decisions_total");
        System.out.println();
        System.out.printf("RESULT median of %d rounds, wrk -t%d -c%d -d%ds, %d cores, sync %s, latency budget %s%n",
                rounds, threads, connections, seconds, Runtime.getRuntime().availableProcessors(), sync, latencyBudget);
        System.out.printf("  with Redis limit (never hit): %,.0f req/s, p99 %.2f ms%n", rpsL, p99L);
        System.out.printf("  without limit:                %,.0f req/s, p99 %.2f ms%n", rpsU, p99U);
        System.out.printf("  throughput ratio: %.2f (goal >= 0.8) %s%n", rpsL / rpsU, rpsL / rpsU >= 0.8 ? "OK" : "BELOW GOAL");
        System.out.printf("  rate-limit decisions %,d: %,d through Redis (mean time in the limiter %.2f ms), %,d from the "
                        + "fallback; non-2xx responses %d%n", decisions, redisCalls,
                redisCalls == 0 ? 0.0 : redisSeconds * 1000 / redisCalls, fallback, non2xx);
        if (fallback > 0) {
            System.out.println("  note: some decisions came from the node-local fallback (Redis over the latency "
                    + "budget); raise --latency-budget to measure Redis only");
        }
    }

    private static double p99Ms(WrkResult r) {
        return r.p99Micros() / 1000;
    }

    /** A counter's value, 0 before the node first counts it. */
    private static long counter(String metrics, String name) {
        return GatewayMetrics.counter(metrics, name).orElse(0L);
    }
}
