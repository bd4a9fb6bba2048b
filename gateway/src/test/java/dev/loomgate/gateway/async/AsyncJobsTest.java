package dev.loomgate.gateway.async;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.loomgate.gateway.policy.apikey.ApiKeys;
import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Async routes end to end on a real Redis, real upstreams and a real node: 202 + status URL, state transitions,
 * stored results, idempotency, limits checked before anything is stored, retries with backoff, dead letters and
 * replay, webhooks with their signature, result expiry, and status URLs that reveal nothing to other callers.
 */
class AsyncJobsTest {
    @TempDir
    static Path dir;
    private static RedisTestServers servers;
    private static RedisTestServers.Server redis;
    private static TestUpstream backend;
    private static TestUpstream flaky;
    private static TestUpstream hook;
    private static TestGateway gateway;
    private static final String PEPPER = "pepper-0123456789-abcdef";
    private static final String SECRET = "webhook-secret-0123456789";
    private static final String ALICE = ApiKeys.generate();
    private static final String BOB = ApiKeys.generate();
    /** While closed, the backend holds each request (so a job is seen queued/running). */
    private static volatile CountDownLatch gate = new CountDownLatch(0);
    private static final AtomicInteger flakyFailures = new AtomicInteger();
    private static final List<String[]> hooks = new CopyOnWriteArrayList<>();

    private static String entry(String key, String consumer) {
        byte[] hash = ApiKeys.hash(key, ApiKeys.HashMethod.HMAC_SHA256, PEPPER.getBytes(StandardCharsets.UTF_8));
        return "- { id: " + ApiKeys.id(key).orElseThrow() + ", hash: " + ApiKeys.hex(hash) + ", consumer: "
                + consumer + " }\n";
    }

    @BeforeAll
    static void start() throws Exception {
        servers = RedisTestServers.create();
        redis = servers.startServer();
        backend = TestUpstream.start("backend");
        backend.behave((req, out) -> {
            byte[] in = req.body().readAllBytes();
            try {
                gate.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = ("done " + req.method() + " " + req.target() + " " + new String(in, StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8);
            Behaviors.head(out, 201, "Content-Length: " + body.length, "X-Result: yes");
            out.write(body);
            return true;
        });
        flaky = TestUpstream.start("flaky");
        TestUpstream.Behavior ok = Behaviors.ok("flaky");
        TestUpstream.Behavior down = Behaviors.closeBeforeResponse();
        flaky.behave((req, out) -> flakyFailures.getAndDecrement() > 0 ? down.respond(req, out) : ok.respond(req, out));
        hook = TestUpstream.start("hook");
        hook.behave((req, out) -> {
            byte[] body = req.body().readAllBytes();
            hooks.add(new String[] {req.headers().get("loomgate-signature").getFirst(),
                    new String(body, StandardCharsets.UTF_8)});
            Behaviors.head(out, 204);
            return true;
        });
        Path pepper = dir.resolve("pepper");
        Files.writeString(pepper, PEPPER + "\n");
        Path secret = dir.resolve("secret");
        Files.writeString(secret, SECRET);
        String keys = (entry(ALICE, "alice") + entry(BOB, "bob")).indent(8).stripTrailing();
        gateway = TestGateway.start("""
                upstreams:
                  - name: backend
                    endpoints: [ %1$s ]
                  - name: flaky
                    endpoints: [ %2$s ]
                routes:
                  - id: jobs
                    upstream: backend
                    match: { path-prefix: /tasks }
                    api-key:
                      pepper-file: %3$s
                      forward-credential: false
                      keys:
                %4$s
                    async:
                      max-body: 1KiB
                      reclaim-after: 2s
                      webhook: { url: "http://%5$s/hook", secret-file: %6$s, initial-backoff: 100ms }
                  - id: small
                    upstream: backend
                    match: { path-prefix: /small }
                    async: { max-queue: 2, workers: 1 }
                  - id: flaky
                    upstream: flaky
                    match: { path-prefix: /flaky }
                    async: { max-attempts: 3, initial-backoff: 100ms, max-backoff: 200ms }
                  - id: paced
                    upstream: flaky
                    match: { path-prefix: /paced }
                    async: { workers: 4, drain-rate: 5 }
                  - id: brief
                    upstream: flaky
                    match: { path-prefix: /brief }
                    async: { result-ttl: 1s, result: redirect }
                """.formatted(backend.address(), flaky.address(), pepper, keys, hook.address(), secret),
                c -> c.toBuilder().redis(RedisSettings.standalone("127.0.0.1", redis.port())).build());
    }

    @AfterAll
    static void stop() {
        gate.countDown();
        if (gateway != null) {
            gateway.close();
        }
        for (TestUpstream u : new TestUpstream[] {backend, flaky, hook}) {
            if (u != null) {
                u.close();
            }
        }
        if (servers != null) {
            servers.close();
        }
    }

    static HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return TestGateway.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonObject json(String body) {
        try (var r = Json.createReader(new StringReader(body))) {
            return r.readObject();
        }
    }

    static long xlen(String routeId) throws IOException {
        return Long.parseLong(RedisTestServers.command(redis.port(), "XLEN", "lg:async:{" + routeId + "}:q").getFirst());
    }

    private static String submit(String path, String body, String... headers) throws Exception {
        HttpResponse<String> r = send("POST", path, body, headers);
        assertEquals(202, r.statusCode(), r.body());
        String location = r.headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith("/jobs/"), location);
        assertEquals(Optional.of("1"), r.headers().firstValue("Retry-After"));
        assertEquals(location.substring(6), json(r.body()).getString("id"));
        return location;
    }

    /** Polls the status URL until the job has an upstream answer (any status other than 200 JSON pending). */
    private static HttpResponse<String> awaitFinal(String location, String... headers) {
        return Await.value("job " + location + " to finish", Duration.ofSeconds(20), () -> {
            try {
                return send("GET", location, null, headers);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, r -> r.headers().firstValue("Loomgate-Job-State").isPresent() || r.statusCode() == 303
                || r.body().contains("\"state\":\"dead\""));
    }

    @Test
    void acceptedJobRunsAndItsStoredAnswerIsServedAtTheStatusUrl() throws Exception {
        gate = new CountDownLatch(1);
        int before = backend.requestCount();
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String location = submit("/tasks/orders?x=1", "hello", "X-Api-Key", ALICE, "X-Trace-Me", "1",
                "traceparent", "00-" + traceId + "-00f067aa0ba902b7-01");
        HttpResponse<String> pending = send("GET", location, null, "X-Api-Key", ALICE);
        assertEquals(200, pending.statusCode(), pending.body());
        JsonObject state = json(pending.body());
        assertTrue(List.of("queued", "running").contains(state.getString("state")), pending.body());
        assertEquals("jobs", state.getString("route"));
        assertEquals(Optional.of("1"), pending.headers().firstValue("Retry-After"));
        Await.until("the job to be running", () -> {
            try {
                return json(send("GET", location, null, "X-Api-Key", ALICE).body()).getString("state").equals("running");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        gate.countDown();
        HttpResponse<String> done = awaitFinal(location, "X-Api-Key", ALICE);
        assertEquals(201, done.statusCode());
        assertEquals("done POST /tasks/orders?x=1 hello", done.body());
        assertEquals(Optional.of("yes"), done.headers().firstValue("X-Result"));
        assertEquals(Optional.of("succeeded"), done.headers().firstValue("Loomgate-Job-State"));
        TestUpstream.Received got = backend.received().get(before);
        assertEquals("POST", got.method());
        assertEquals(location.substring(6), got.header("Idempotency-Key"), "the job id is the default key");
        assertEquals("1", got.header("X-Trace-Me"));
        assertEquals(null, got.header("X-Api-Key"), "credentials are not stored with the job");
        assertTrue(got.header("traceparent").startsWith("00-" + traceId + "-"),
                "the worker's call continues the client's trace: " + got.header("traceparent"));
        String metrics = TestGateway.http().send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                + gateway.adminPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String series : List.of("loomgate_async_enqueued_total", "loomgate_async_started_total",
                "loomgate_async_succeeded_total")) {
            double v = metrics.lines().filter(l -> l.startsWith(series + "{route=\"jobs\"} "))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
            assertTrue(v >= 1, series + " counts the job: " + v);
        }
        for (String gauge : List.of("loomgate_async_queue_length", "loomgate_async_oldest_pending_seconds",
                "loomgate_async_worker_utilisation", "loomgate_async_dead_lettered_total",
                "loomgate_async_redeliveries_total")) {
            assertTrue(metrics.contains(gauge + "{route=\"jobs\"} "), gauge);
        }
        assertEquals(0, xlen("jobs"), "a finished job leaves the stream");
    }

    @Test
    void sameIdempotencyKeyReturnsTheSameJobPerConsumer() throws Exception {
        gate = new CountDownLatch(0);
        String first = submit("/tasks/pay", "1", "X-Api-Key", ALICE, "Idempotency-Key", "k-42");
        HttpResponse<String> again = send("POST", "/tasks/pay", "1", "X-Api-Key", ALICE, "Idempotency-Key", "k-42");
        assertEquals(202, again.statusCode());
        assertEquals(Optional.of(first), again.headers().firstValue("Location"));
        assertEquals(Optional.of("true"), again.headers().firstValue("Idempotent-Replayed"));
        String bobs = submit("/tasks/pay", "1", "X-Api-Key", BOB, "Idempotency-Key", "k-42");
        assertNotEquals(first, bobs, "keys are scoped per consumer");
        awaitFinal(first, "X-Api-Key", ALICE);
        awaitFinal(bobs, "X-Api-Key", BOB);
        long calls = backend.received().stream().filter(r -> "k-42".equals(r.header("Idempotency-Key"))).count();
        assertEquals(2, calls, "one upstream call per consumer, none for the repeat");
        HttpResponse<String> late = send("POST", "/tasks/pay", "1", "X-Api-Key", ALICE, "Idempotency-Key", "k-42");
        assertEquals(Optional.of(first), late.headers().firstValue("Location"), "also after the job finished");
    }

    @Test
    void invalidRequestsAreRefusedBeforeAnythingIsStored() throws Exception {
        long before = xlen("jobs");
        int stored = RedisTestServers.command(redis.port(), "KEYS", "lg:async:{jobs}:job:*").size();
        int calls = backend.requestCount();
        assertEquals(401, send("POST", "/tasks/x", "a").statusCode());
        assertEquals(401, send("POST", "/tasks/x", "a", "X-Api-Key", ApiKeys.generate()).statusCode());
        HttpResponse<String> large = send("POST", "/tasks/x", "y".repeat(2000), "X-Api-Key", ALICE);
        assertEquals(413, large.statusCode());
        assertEquals(Optional.of("application/problem+json"), large.headers().firstValue("Content-Type"));
        assertEquals(400, send("POST", "/tasks/x", "a", "X-Api-Key", ALICE, "Idempotency-Key", "k".repeat(300))
                .statusCode());
        assertEquals(before, xlen("jobs"), "no stream entry for a refused request");
        assertEquals(stored, RedisTestServers.command(redis.port(), "KEYS", "lg:async:{jobs}:job:*").size(),
                "no job stored for a refused request");
        assertEquals(calls, backend.requestCount());
    }

    @Test
    void unknownMalformedAndOtherConsumersJobsAre404() throws Exception {
        gate = new CountDownLatch(0);
        String alices = submit("/tasks/secret", "s", "X-Api-Key", ALICE);
        awaitFinal(alices, "X-Api-Key", ALICE);
        for (String path : List.of("/jobs/nonsense", "/jobs/" + "am9icw." + "0".repeat(32), alices + "x",
                "/jobs/" + JobId.create("no-such-route").value(), "/jobs/")) {
            HttpResponse<String> r = send("GET", path, null, "X-Api-Key", ALICE);
            assertEquals(404, r.statusCode(), path + " " + r.body());
            assertEquals(Optional.of("application/problem+json"), r.headers().firstValue("Content-Type"), path);
        }
        HttpResponse<String> foreign = send("GET", alices, null, "X-Api-Key", BOB);
        assertEquals(404, foreign.statusCode(), "another consumer's job is unknown to him");
        HttpResponse<String> unknown = send("GET", "/jobs/" + JobId.create("jobs").value(), null, "X-Api-Key", BOB);
        assertEquals(json(unknown.body()).getString("detail"), json(foreign.body()).getString("detail"),
                "the same answer as an unknown id: nothing to enumerate");
        assertEquals(401, send("GET", alices, null).statusCode(), "the route's authentication guards its jobs");
    }

    @Test
    void aFullQueueRefusesWith503AndRetryAfter() throws Exception {
        gate = new CountDownLatch(1);
        try {
            submit("/small/a", "1");
            Await.until("the first job to be on the worker", () -> gateRequests() >= 1);
            submit("/small/b", "2");
            HttpResponse<String> full = send("POST", "/small/c", "3");
            assertEquals(503, full.statusCode(), full.body());
            assertEquals(Optional.of("1"), full.headers().firstValue("Retry-After"));
            assertTrue(full.body().contains("queue-full"), full.body());
            assertEquals(2, xlen("small"));
        } finally {
            gate.countDown();
        }
        Await.until("the small queue to drain", () -> {
            try {
                return xlen("small") == 0;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static long gateRequests() {
        return backend.received().stream().filter(r -> r.target().startsWith("/small/a")).count();
    }

    @Test
    void upstreamDownRetriesWithBackoffThenCompletes() throws Exception {
        flakyFailures.set(2);
        String location = submit("/flaky/x", "1");
        HttpResponse<String> done = awaitFinal(location);
        assertEquals(200, done.statusCode(), done.body());
        assertEquals(3, flaky.received().stream().filter(r -> r.target().equals("/flaky/x")).count(),
                "two failed attempts, then the one that worked");
    }

    @Test
    void jobsPastTheirAttemptsAreDeadLetteredAndReplayWorks() throws Exception {
        flakyFailures.set(1_000);
        String location = submit("/flaky/dead", "1");
        HttpResponse<String> dead = awaitFinal(location);
        JsonObject state = json(dead.body());
        assertEquals("dead", state.getString("state"));
        assertEquals(3, state.getInt("attempts"));
        AsyncService async = gateway.node().async().orElseThrow();
        String id = location.substring(6);
        assertTrue(async.queue().dead("flaky", 100).contains(id));
        flakyFailures.set(0);
        assertTrue(async.queue().replay("flaky", id));
        HttpResponse<String> done = awaitFinal(location);
        assertEquals(200, done.statusCode(), done.body());
        assertTrue(!async.queue().dead("flaky", 100).contains(id), "no longer a dead letter");
    }

    private static String[] cli(int expectedExit, String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--admin";
        all[args.length + 1] = "http://127.0.0.1:" + gateway.adminPort();
        int exit = new dev.loomgate.gateway.cli.LoomgateCli(new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8)).run(all);
        String[] text = {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
        assertEquals(expectedExit, exit, String.join(" ", args) + ": " + text[0] + text[1]);
        return text;
    }

    @Test
    void deadJobsAreListedShownReplayedAndPurgedThroughTheAdminApiAndCli() throws Exception {
        flakyFailures.set(1_000);
        String id = submit("/flaky/admin", "1").substring(6);
        String other = submit("/flaky/admin2", "1").substring(6);
        awaitFinal("/jobs/" + id);
        awaitFinal("/jobs/" + other);
        String list = cli(0, "jobs", "list", "--route", "flaky")[0];
        assertTrue(list.contains(id) && list.contains(other), list);
        assertTrue(list.contains("upstream") && list.contains("\"state\":\"dead\""), list);
        assertTrue(cli(0, "jobs", "list")[0].contains("\"route\":\"flaky\""));
        String shown = cli(0, "jobs", "show", id)[0];
        assertEquals("dead", json(shown).getString("state"));
        assertEquals("/flaky/admin", json(shown).getString("target"));
        flakyFailures.set(0);
        assertTrue(cli(0, "jobs", "replay", id)[0].contains("queued"));
        assertEquals(200, awaitFinal("/jobs/" + id).statusCode());
        assertTrue(cli(5, "jobs", "replay", id)[1].contains("409"), "a finished job is not replayed");
        assertTrue(cli(0, "jobs", "purge", "--route", "flaky")[0].contains("\"purged\":1"));
        assertEquals(404, send("GET", "/jobs/" + other, null).statusCode(), "a purged job is gone");
        assertTrue(cli(5, "jobs", "show", other)[1].contains("404"));
        cli(2, "jobs", "purge");
        HttpResponse<String> queues = TestGateway.http().send(HttpRequest.newBuilder(java.net.URI.create(
                "http://127.0.0.1:" + gateway.adminPort() + "/admin/jobs")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, queues.statusCode(), "no admin token in this test");
        assertEquals(0, json(queues.body()).getJsonArray("routes").stream()
                .filter(r -> r.asJsonObject().getString("route").equals("flaky"))
                .mapToInt(r -> r.asJsonObject().getInt("dead")).sum(), queues.body());
    }

    @Test
    void finishedJobsAreAnnouncedToTheSignedWebhook() throws Exception {
        gate = new CountDownLatch(0);
        String location = submit("/tasks/hooked", "h", "X-Api-Key", ALICE);
        String id = location.substring(6);
        String[] got = Await.value("the webhook call", Duration.ofSeconds(20),
                () -> hooks.stream().filter(h -> h[1].contains(id)).findFirst(), Optional::isPresent).orElseThrow();
        JsonObject body = json(got[1]);
        assertEquals("succeeded", body.getString("state"));
        assertEquals(201, body.getInt("status"));
        String signature = got[0];
        long t = Long.parseLong(signature.substring(2, signature.indexOf(',')));
        assertTrue(Math.abs(System.currentTimeMillis() / 1000 - t) < 60);
        assertEquals(Webhooks.sign(SECRET, t, got[1].getBytes(StandardCharsets.UTF_8)), signature);
        assertEquals(64, signature.substring(signature.indexOf("v1=") + 3).length());
        assertNotEquals(Webhooks.sign("other-secret", t, got[1].getBytes(StandardCharsets.UTF_8)), signature);
    }

    @Test
    void drainRateSpacesTheStartsOfJobs() throws Exception {
        flakyFailures.set(0);
        List<String> locations = new java.util.ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            locations.add(submit("/paced/" + i, "1"));
        }
        for (String location : locations) {
            assertEquals(200, awaitFinal(location).statusCode());
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 1600, "10 jobs at 5/s take at least 9 spacings of 200 ms, took " + ms + " ms");
    }

    @Test
    void resultsRedirectAndExpireAfterTheirTtl() throws Exception {
        flakyFailures.set(0);
        String location = submit("/brief/x", "1");
        HttpResponse<String> done = awaitFinal(location);
        assertEquals(303, done.statusCode());
        assertEquals(Optional.of(location + "/result"), done.headers().firstValue("Location"));
        HttpResponse<String> result = send("GET", location + "/result", null);
        assertEquals(200, result.statusCode());
        assertEquals("flaky POST /brief/x", result.body());
        Await.until("the result to expire", Duration.ofSeconds(10), () -> {
            try {
                return send("GET", location, null).statusCode() == 404;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(404, send("GET", location + "/result", null).statusCode());
    }
}
