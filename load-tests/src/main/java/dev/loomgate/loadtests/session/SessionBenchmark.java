package dev.loomgate.loadtests.session;

import static dev.loomgate.loadtests.WrkBenchOptions.Common.CONNECTIONS;
import static dev.loomgate.loadtests.WrkBenchOptions.Common.ROUNDS;
import static dev.loomgate.loadtests.WrkBenchOptions.Common.SECONDS;
import static dev.loomgate.loadtests.WrkBenchOptions.Common.THREADS;
import static dev.loomgate.loadtests.WrkBenchOptions.Common.WARMUP;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.loomgate.loadtests.BenchBed;
import dev.loomgate.loadtests.BenchFailure;
import dev.loomgate.loadtests.GatewayMetrics;
import dev.loomgate.loadtests.LocalHost;
import dev.loomgate.loadtests.ManagedProcesses;
import dev.loomgate.loadtests.Stats;
import dev.loomgate.loadtests.Wrk;
import dev.loomgate.loadtests.WrkBenchOptions;
import dev.loomgate.loadtests.WrkResult;

/**
 * Cost of a server-side Redis session on the data path. In one run: starts redis-server, an nginx upstream and one
 * gateway node (its jar, in a child JVM) with four routes to the same upstream: a session read from Redis on every
 * request ({@code client-cache: false}), a session served from the Redis-tracked client cache (the default), a session
 * with {@code local-cache: 1s}, and no session; creates --sessions sessions, then runs wrk against the routes in
 * alternating rounds with a Lua script that sends their cookies round-robin, a different one per request; prints the
 * median throughput ratios and p99s (the goal, >= 0.8, judged for the default configuration only), then stops
 * everything it started. Fails if a session was created while measuring, Redis failed, or a request failed.
 * See bin/bench-session.
 */
public final class SessionBenchmark {
    static final WrkBenchOptions.Spec SPEC = WrkBenchOptions.Spec.of("bench-session", """
            Throughput of a route with a Redis session vs the same route without one, through one gateway node
            (redis-server, nginx origin and wrk started and stopped here). The sessions are created before measuring;
            wrk sends their cookies round-robin, a different one per request (a Lua script). Goal >= 0.8 for the
            default session configuration (client-cache); Redis on every request and local-cache 1s for reference.""")
            .with(ROUNDS, 3)
            .with(SECONDS, 8)
            .with(WARMUP, 5, "warm-up seconds per route")
            .with(CONNECTIONS, 32)
            .with(THREADS, 2)
            .flag("--sessions", 1000, "sessions created before measuring, their cookies sent round-robin;\n"
                    + "1: one hot session, its cookie on every request");
    private static final double GOAL = 0.8;

    /** A measured route: its wrk label and path prefix; indexes below follow {@link #ROUTES}. */
    private record Route(String label, String prefix) {
    }

    // the rotation order of the rounds (kept from the first version of this benchmark)
    private static final List<Route> ROUTES = List.of(new Route("session", "/session"),
            new Route("local-cache", "/cached"), new Route("plain", "/plain"), new Route("client-cache", "/tracked"));
    private static final int REDIS = 0, LOCAL = 1, PLAIN = 2, CLIENT = 3;

    private final BenchBed bed;
    private final WrkBenchOptions options;

    private SessionBenchmark(BenchBed bed, WrkBenchOptions options) {
        this.bed = bed;
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Optional<WrkBenchOptions> options = SPEC.parseOrExit(args);
        if (options.isEmpty()) {
            return;
        }
        try {
            BenchBed.runGatewayBench("bench-session", options.get().gatewayJar(),
                    bed -> new SessionBenchmark(bed, options.get()).run());
        } catch (BenchFailure e) {
            System.err.println("\nbench-session: FAILED: " + e.getMessage());
            System.exit(1);
        }
    }

    private void run() throws IOException, InterruptedException {
        int rounds = options.rounds(), seconds = options.seconds(), sessions = options.value("--sessions");
        int threads = options.threads(), connections = options.connections();
        BenchBed.RedisOrigin bedPorts = bed.redisAndOrigin();
        int redisPort = bedPorts.redisPort(), nginxPort = bedPorts.originPort();
        int gwPort = bedPorts.gatewayPort(), adminPort = bedPorts.adminPort();
        Path secret = bed.work().resolve("session-secret");
        Files.writeString(secret, "bench-session-secret-" + System.nanoTime() + "-padding-to-32+");
        ManagedProcesses.Started node = bed.gateway("bench", options.gatewayJar(), List.of("-XX:+UseParallelGC"),
                gwPort, adminPort, routes(nginxPort, secret),
                "redis: { address: \"127.0.0.1:%d\", read-timeout: 1s }\n".formatted(redisPort));
        BenchBed.awaitReady("gateway", node, adminPort);

        System.out.printf("creating %,d session%s%n", sessions, sessions == 1 ? "" : "s");
        List<String> cookies = createSessions("http://127.0.0.1:" + gwPort + "/session/login", sessions, node);
        Path script = bed.work().resolve("session-cookies.lua");
        Files.writeString(script, SessionCookieScript.lua(cookies, threads));
        Wrk wrk = new Wrk(bed.processes(), bed.work(), threads, connections).withScript(script);
        List<String> urls = ROUTES.stream().map(r -> "http://127.0.0.1:" + gwPort + r.prefix() + "/x").toList();

        System.out.printf("warm-up: %d s per route (wrk -t%d -c%d)%n", options.warmup(), threads, connections);
        if (options.warmup() > 0) {
            for (int k = 0; k < ROUTES.size(); k++) {
                wrk.counting("warmup-" + ROUTES.get(k).label(), urls.get(k), options.warmup());
            }
        }
        String before = GatewayMetrics.text(adminPort);
        int n = ROUTES.size();
        List<List<WrkResult>> results = new ArrayList<>();
        ROUTES.forEach(r -> results.add(new ArrayList<>()));
        for (int r = 0; r < rounds; r++) {
            // rotate the order so drift in machine load favours no route
            for (int k = 0; k < n; k++) {
                int which = (r + k) % n;
                results.get(which).add(wrk.counting(ROUTES.get(which).label(), urls.get(which), seconds));
            }
            System.out.printf("round %d: session %,.0f req/s, session + client-cache %,.0f req/s, session + local-cache"
                    + " %,.0f req/s, without %,.0f req/s%n", r + 1, results.get(REDIS).get(r).requestsPerSec(),
                    results.get(CLIENT).get(r).requestsPerSec(), results.get(LOCAL).get(r).requestsPerSec(),
                    results.get(PLAIN).get(r).requestsPerSec());
        }
        String after = GatewayMetrics.text(adminPort);
        report(results, before, after, sessions);
    }

    private void report(List<List<WrkResult>> results, String before, String after, int sessions) {
        int n = results.size();
        double[] rps = new double[n];
        double[] p99 = new double[n];
        long non2xx = 0, socketErrors = 0;
        for (int k = 0; k < n; k++) {
            rps[k] = Stats.median(results.get(k).stream().map(WrkResult::requestsPerSec).toList());
            p99[k] = Stats.median(results.get(k).stream().map(w -> w.p99Micros() / 1000).toList());
            non2xx += results.get(k).stream().mapToLong(WrkResult::non2xx3xx).sum();
            socketErrors += results.get(k).stream().mapToLong(w -> w.socketErrors().total()).sum();
        }
        long created = delta(before, after, "loomgate_session_created_total");
        long errors = delta(before, after, "loomgate_session_redis_errors_total");
        System.out.println();
        System.out.printf("RESULT median of %d rounds, wrk -t%d -c%d -d%ds, %d cores, %s%n", options.rounds(),
                options.threads(), options.connections(), options.seconds(), Runtime.getRuntime().availableProcessors(),
                sessions == 1 ? "one session for all requests"
                        : "%,d sessions, a different cookie per request (round-robin)".formatted(sessions));
        System.out.printf("  with Redis session (every request reads Redis): %,.0f req/s, p99 %.2f ms%n", rps[REDIS],
                p99[REDIS]);
        System.out.printf("  with session, client-cache (Redis-tracked):     %,.0f req/s, p99 %.2f ms%n", rps[CLIENT],
                p99[CLIENT]);
        System.out.printf("  with session, local-cache 1s:                   %,.0f req/s, p99 %.2f ms%n", rps[LOCAL],
                p99[LOCAL]);
        System.out.printf("  without session:                                %,.0f req/s, p99 %.2f ms%n", rps[PLAIN],
                p99[PLAIN]);
        double client = rps[CLIENT] / rps[PLAIN];
        System.out.printf("  throughput ratio, client-cache (default): %.2f (goal >= %.1f) %s; cache hits %d, "
                + "misses %d%n", client, GOAL, client >= GOAL ? "OK" : "BELOW GOAL",
                delta(before, after, "loomgate_session_client_cache_total{event=\"hit\"}"),
                delta(before, after, "loomgate_session_client_cache_total{event=\"miss\"}"));
        System.out.printf("  throughput ratio, Redis every request:    %.2f (for reference)%n",
                rps[REDIS] / rps[PLAIN]);
        System.out.printf("  throughput ratio, local-cache 1s:         %.2f (for reference%s)%n",
                rps[LOCAL] / rps[PLAIN], sessions == 1 ? "; one hot session: an upper bound" : "");
        System.out.printf("  sessions created while measuring %d (expected 0), session Redis errors %d, non-2xx %d%n",
                created, errors, non2xx);
        List<String> wrong = new ArrayList<>();
        if (created != 0) {
            wrong.add(created + " sessions created while measuring (a cookie was not accepted)");
        }
        if (errors != 0) {
            wrong.add(errors + " session Redis errors");
        }
        if (non2xx != 0) {
            wrong.add(non2xx + " non-2xx responses");
        }
        if (socketErrors != 0) {
            wrong.add(socketErrors + " wrk socket errors");
        }
        if (!wrong.isEmpty()) {
            throw new BenchFailure(String.join(", ", wrong) + "; the figures above are not a clean measurement"
                    + " (wrk output and node log in " + bed.work() + ")");
        }
    }

    /** Four routes to the nginx origin, in the order of {@link #ROUTES}'s prefixes; all sessions use one key. */
    private static String routes(int nginxPort, Path secret) {
        return """
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
                """.formatted(nginxPort, secret, secret, secret);
    }

    /**
     * The cookies ({@code lg_session=...}) of {@code count} new sessions, one cookieless request each. The first is
     * awaited (the node may still be loading its routes), the rest must each answer 200 with a new cookie.
     */
    private static List<String> createSessions(String url, int count, ManagedProcesses.Started node)
            throws InterruptedException {
        LocalHost.awaitServing("gateway session route", url, r -> r.statusCode() == 200 && cookie(r).isPresent(), node,
                Duration.ofSeconds(15));
        Set<String> cookies = new LinkedHashSet<>();
        for (int i = 0; i < count; i++) {
            HttpResponse<String> r = LocalHost.get(url)
                    .orElseThrow(() -> new BenchFailure("no answer from " + url + " while creating sessions"));
            String c = cookie(r).filter(x -> r.statusCode() == 200).orElseThrow(() -> new BenchFailure(url
                    + " answered " + r.statusCode() + " without a session cookie while creating sessions"));
            if (!cookies.add(c)) {
                throw new BenchFailure(url + " handed out the same session cookie twice");
            }
        }
        return List.copyOf(cookies);
    }

    private static Optional<String> cookie(HttpResponse<String> r) {
        return r.headers().allValues("Set-Cookie").stream().filter(h -> h.startsWith("lg_session="))
                .map(h -> h.indexOf(';') < 0 ? h : h.substring(0, h.indexOf(';'))).findFirst();
    }

    /** How much a counter grew between two scrapes (0 before the node first counts it). */
    private static long delta(String before, String after, String name) {
        return GatewayMetrics.counter(after, name).orElse(0L) - GatewayMetrics.counter(before, name).orElse(0L);
    }
}
