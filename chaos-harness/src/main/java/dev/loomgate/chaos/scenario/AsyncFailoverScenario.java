package dev.loomgate.chaos.scenario;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.ScenarioResult;

/**
 * Scenario 10 (issue 16): steady async submissions through the front while (a) a gateway node is killed and (b) the
 * Redis master is killed (Sentinel failover); every job answered 202 must reach a final state, none lost in (a), and
 * the lost count and window in (b) are printed (docs/ASYNC.md, Guarantees).
 */
public final class AsyncFailoverScenario implements Scenario {
    static final Duration SETTLE_FULL = Duration.ofSeconds(120);
    static final Duration SETTLE_QUICK = Duration.ofSeconds(60);

    @Override
    public int number() {
        return 10;
    }

    @Override
    public String name() {
        return "async jobs through a gateway kill and a Redis failover";
    }

    @Override
    public String description() {
        return "Adds an async route (replicas: 1) and submits jobs with Idempotency-Key through the front at a steady "
                + "rate beside the mixed load; kill -9 of the second gateway node, later kill -9 of the Redis master. "
                + "Goals: 0 lost jobs among those answered 202 before the Redis kill; the lost count after it is "
                + "printed with its window (goal 0; Redis replication is asynchronous, docs/ASYNC.md); every accepted "
                + "job reaches a final state within " + SETTLE_FULL.toSeconds() + " s (quick: "
                + SETTLE_QUICK.toSeconds() + " s) of the end of the load.";
    }

    @Override
    public ScenarioResult run(ChaosCluster cluster, ScenarioContext ctx) throws Exception {
        Duration total = ctx.phase(Duration.ofSeconds(36), Duration.ofSeconds(24));
        Duration gatewayKillAt = ctx.phase(Duration.ofSeconds(6), Duration.ofSeconds(4));
        Duration redisKillAt = ctx.phase(Duration.ofSeconds(18), Duration.ofSeconds(12));
        double rate = ctx.quick() ? 10 : 20;
        if (cluster.clientNamespace().isPresent()) {
            try (UnderLoad load = UnderLoad.start(cluster, ctx, Duration.ofSeconds(1))) {
                load.await();
                return load.result(this, List.of(Criterion.notMeasured("lost async jobs", description(), "jobs",
                        "<= 0", "the submitter runs in this JVM, which cannot reach the namespace VIP")));
            }
        }
        publishAsyncRoute(cluster, ctx);
        try {
            return runWithAsyncRoute(cluster, ctx, total, gatewayKillAt, redisKillAt, rate);
        } finally {
            // the cluster goes back to its own routes (a newer version of the same document)
            RoutesDocs.push(cluster, ctx.outDir(), "after-async-" + Long.toString(System.currentTimeMillis(), 36));
        }
    }

    private ScenarioResult runWithAsyncRoute(ChaosCluster cluster, ScenarioContext ctx, Duration total,
                                             Duration gatewayKillAt, Duration redisKillAt, double rate)
            throws Exception {
        URI front = cluster.frontUrl();
        String run = Long.toString(System.currentTimeMillis(), 36);
        awaitAccepting(front, run);
        ClusterProcess gateway = cluster.gateways().get(1);
        ClusterProcess master = cluster.redisMaster();
        List<AsyncJobs.Submission> submissions = new CopyOnWriteArrayList<>();
        long redisKilled;
        try (UnderLoad load = UnderLoad.start(cluster, ctx, total);
             HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            Thread submitter = Thread.ofVirtual().name("async-submitter").start(() ->
                    submit(http, front, run, rate, load, total, submissions));
            load.at(gatewayKillAt);
            ctx.say("kill -9 " + gateway.name() + " (pid " + gateway.pid() + ")");
            load.faults().instant("kill -9", gateway.name(), gateway::kill9);
            Thread restarter = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(3000); // the node stays down a while: its pending jobs must move elsewhere
                } catch (InterruptedException e) {
                    return;
                }
                GatewayKillScenario.restore(ctx, cluster, gateway);
            });
            load.at(redisKillAt);
            ctx.say("kill -9 Redis master " + master.name() + " (pid " + master.pid() + ")");
            redisKilled = load.faults().instant("kill -9", "redis master " + master.name(), master::kill9);
            submitter.join();
            restarter.join();
            load.await();
            GatewayKillScenario.restore(ctx, cluster, master);
            Duration settle = ctx.quick() ? SETTLE_QUICK : SETTLE_FULL;
            Map<String, AsyncJobs.Fate> fates = settle(cluster, front, submissions, settle);
            AsyncJobs.Verdict v = AsyncJobs.verdict(submissions, fates, redisKilled);
            writeSubmissions(ctx.outDir(), submissions, fates);
            long refused = submissions.stream().filter(s -> !s.accepted()).count();
            ctx.say("async: " + submissions.size() + " submitted, " + v.accepted() + " accepted (202), " + refused
                    + " refused (503 or no answer: never promised), lost before the Redis kill " + v.lostBefore()
                    + ", lost after it " + v.lostAfter() + ", loss window " + v.window() + ", not final after "
                    + settle.toSeconds() + " s: " + v.pending());
            List<Criterion> criteria = new ArrayList<>();
            criteria.add(Criterion.atLeast("accepted async jobs", "jobs answered 202 (the scenario measured something)",
                    v.accepted(), "jobs", 1));
            criteria.add(Criterion.atMost("async jobs lost, gateway kill", "jobs answered 202 before the Redis kill"
                    + " whose status URL is 404 after the settle time", v.lostBefore(), "jobs", 0));
            criteria.add(Criterion.atMost("async jobs lost, Redis failover", "jobs answered 202 after the Redis kill"
                    + " and lost; loss window " + v.window(), v.lostAfter(), "jobs", 0));
            criteria.add(Criterion.atMost("async jobs not final", "accepted jobs not succeeded, failed or dead "
                    + settle.toSeconds() + " s after the load ended", v.pending(), "jobs", 0));
            return load.result(this, criteria);
        }
    }

    private static void publishAsyncRoute(ChaosCluster cluster, ScenarioContext ctx) throws Exception {
        Path dir = Files.createDirectories(ctx.outDir());
        Path file = dir.resolve("routes-async.yaml");
        String version = "chaos-async-" + Long.toString(System.currentTimeMillis(), 36);
        Files.writeString(file, RoutesDocs.withVersion(AsyncJobs.withAsyncRoute(cluster.routesDocument(), "demo"),
                version));
        ctx.say("publishing routes " + version + " with the async route " + AsyncJobs.PREFIX);
        cluster.publishRoutes(file);
    }

    /** Until the front answers an async submission with 202 (every node applied the routes), at most 30 s. */
    private static void awaitAccepting(URI front, String run) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int inARow = 0;
            for (int i = 0; inARow < 6; i++) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the async route did not answer 202 within 30 s");
                }
                inARow = post(http, front, AsyncJobs.PREFIX + "/probe", "probe-" + run + "-" + i).statusCode() == 202
                        ? inARow + 1 : 0;
                Thread.sleep(100); // polling the front until the routes version is everywhere
            }
        }
    }

    private static HttpResponse<String> post(HttpClient http, URI front, String path, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(front.resolve(path)).timeout(Duration.ofSeconds(5))
                .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString("{\"chaos\":true}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void submit(HttpClient http, URI front, String run, double rate, UnderLoad load, Duration total,
                               List<AsyncJobs.Submission> out) {
        long periodNanos = (long) (1e9 / rate);
        long start = System.nanoTime();
        long count = (long) (rate * total.toSeconds());
        for (long n = 0; n < count; n++) {
            long due = start + n * periodNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(Duration.ofNanos(wait)); // pacing the submissions
                } catch (InterruptedException e) {
                    return;
                }
            }
            long sent = load.now();
            final long seq = n;
            Thread.ofVirtual().start(() -> {
                int status = 0;
                Optional<String> id = Optional.empty();
                for (int attempt = 0; attempt < 3 && status != 202; attempt++) {
                    try {
                        // the same key on every try: a retry after a lost answer finds the same job
                        HttpResponse<String> r = post(http, front, AsyncJobs.PREFIX + "/" + seq, run + "-" + seq);
                        status = r.statusCode();
                        id = r.headers().firstValue("Location").map(l -> l.substring(l.lastIndexOf('/') + 1));
                    } catch (Exception e) {
                        status = 0;
                    }
                }
                out.add(new AsyncJobs.Submission(seq, sent, status, status == 202 ? id : Optional.empty()));
            });
        }
        try {
            Thread.sleep(6000); // the last submissions' own time-out (5 s) plus their retries' first answers
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Polls every unfinished job's status URL through the front until all are final or lost, or the bound. */
    private static Map<String, AsyncJobs.Fate> settle(ChaosCluster cluster, URI front,
                                                      List<AsyncJobs.Submission> submissions, Duration bound)
            throws InterruptedException {
        Map<String, AsyncJobs.Fate> fates = new HashMap<>();
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            boolean open = false;
            for (AsyncJobs.Submission s : submissions) {
                if (!s.accepted() || fates.getOrDefault(s.jobId().get(), AsyncJobs.Fate.PENDING)
                        != AsyncJobs.Fate.PENDING) {
                    continue;
                }
                AsyncJobs.Fate f;
                try {
                    f = AsyncJobs.fate(cluster.httpGet(front.resolve("/jobs/" + s.jobId().get())));
                } catch (java.io.IOException e) {
                    f = AsyncJobs.Fate.PENDING;
                }
                // a 404 while Redis fails over may be a read from a master that is not yet the master: recheck
                if (f == AsyncJobs.Fate.LOST && System.nanoTime() < deadline - Duration.ofSeconds(10).toNanos()) {
                    f = AsyncJobs.Fate.PENDING;
                }
                fates.put(s.jobId().get(), f);
                open |= f == AsyncJobs.Fate.PENDING;
            }
            if (!open || System.nanoTime() > deadline) {
                return fates;
            }
            Thread.sleep(500); // polling status URLs, as a client would
        }
    }

    private static void writeSubmissions(Path dir, List<AsyncJobs.Submission> submissions,
                                         Map<String, AsyncJobs.Fate> fates) throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        for (AsyncJobs.Submission s : submissions) {
            sb.append("{\"seq\":").append(s.seq()).append(",\"start_ms\":").append(s.startMillis())
                    .append(",\"status\":").append(s.status()).append(",\"job\":\"").append(s.jobId().orElse(""))
                    .append("\",\"fate\":\"").append(s.jobId().map(id -> fates.getOrDefault(id, AsyncJobs.Fate.PENDING)
                            .name().toLowerCase(java.util.Locale.ROOT)).orElse("refused")).append("\"}\n");
        }
        Files.writeString(dir.resolve("async-jobs.jsonl"), sb.toString());
    }
}
