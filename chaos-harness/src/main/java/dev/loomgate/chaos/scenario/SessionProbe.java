package dev.loomgate.chaos.scenario;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.loomgate.chaos.report.Criterion;

/**
 * The session half of the shared-state scenario. It publishes a session route ({@link #PREFIX}, signing key in a
 * file of the run's directory, {@code upstream-control} so the demo upstream can write an attribute), opens
 * {@link #SESSIONS} sessions through the front, each holding its own {@code probe} attribute, then reads every
 * session in a loop through the front (any node) while the faults happen. A read whose upstream did not get the
 * session's attribute was served without its session; after the faults every session is read again until it is
 * back (bounded): one that never comes back is lost. The goal is 0 lost sessions and 0 5xx on the session route.
 */
final class SessionProbe implements AutoCloseable {
    static final String PREFIX = "/chaos-session";
    static final int SESSIONS = 16;
    static final Duration FINAL_CHECK_BOUND = Duration.ofSeconds(20);
    private static final Pattern ROUTES_LINE = Pattern.compile("(?m)^routes:[ \\t]*$");
    private static final Pattern SESSION_COOKIE = Pattern.compile("lg_session=([^;]+)");
    private static final Pattern PROBE_HEADER = Pattern.compile("\"x-session-probe\"\\s*:\\s*\\[?\\s*\"([^\"]*)\"");

    private final ChaosCluster cluster;
    private final Map<String, String> cookieByToken = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong withoutSession = new AtomicLong();
    private final AtomicLong serverErrors = new AtomicLong();
    private final AtomicLong unanswered = new AtomicLong();
    private final Thread thread;
    private volatile long lost = -1;

    private SessionProbe(ChaosCluster cluster, Map<String, String> sessions) {
        this.cluster = cluster;
        this.cookieByToken.putAll(sessions);
        this.thread = Thread.ofVirtual().name("session-probe").start(this::loop);
    }

    /** The routes document with the probe's session route first (signing key in {@code secretFile}). */
    static String withSessionRoute(String document, String upstream, Path secretFile) {
        Matcher m = ROUTES_LINE.matcher(document);
        if (!m.find()) {
            throw new IllegalArgumentException("the routes document has no top-level 'routes:' line");
        }
        String route = """
                  - id: chaos-session
                    upstream: %s
                    match: { path-prefix: %s }
                    session:
                      keys: [ { id: chaos, secret-file: "%s" } ]
                      upstream-control: true
                      forward-attributes: { probe: X-Session-Probe }
                      on-redis-down: continue
                """.formatted(upstream, PREFIX, secretFile.toAbsolutePath());
        return document.substring(0, m.end()) + "\n" + route.stripTrailing() + document.substring(m.end());
    }

    /**
     * Publishes the session route, waits until the front serves it, opens the sessions and starts reading them.
     * Throws when the sessions cannot be opened within 30 s (the scenario then fails with the reason).
     */
    static SessionProbe start(ChaosCluster cluster, ScenarioContext ctx) throws Exception {
        Path dir = Files.createDirectories(ctx.outDir());
        Path secret = dir.resolve("session-key");
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        Files.writeString(secret, HexFormat.of().formatHex(random));
        Path file = dir.resolve("routes-session.yaml");
        String version = "chaos-session-" + Long.toString(System.currentTimeMillis(), 36);
        Files.writeString(file, RoutesDocs.withVersion(withSessionRoute(cluster.routesDocument(), "demo", secret),
                version));
        ctx.say("publishing routes " + version + " with the session route " + PREFIX);
        cluster.publishRoutes(file);
        Map<String, String> sessions = new ConcurrentHashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (int i = 0; i < SESSIONS; i++) {
            String token = "t" + i + "-" + Long.toString(System.nanoTime(), 36);
            Optional<String> cookie = Optional.empty();
            while (cookie.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not open session " + i + " through the front in 30 s");
                }
                cookie = open(cluster, token);
                if (cookie.isEmpty()) {
                    Thread.sleep(200); // the routes version is still reaching the nodes
                }
            }
            sessions.put(token, cookie.get());
        }
        ctx.say("opened " + SESSIONS + " sessions through the front");
        return new SessionProbe(cluster, sessions);
    }

    /** A new session whose upstream answer sets probe=token, read back once; empty when the route is not there yet. */
    private static Optional<String> open(ChaosCluster cluster, String token) {
        try {
            HttpResult created = cluster.httpGet(cluster.frontUrl().resolve(PREFIX + "/session-set/probe/" + token));
            Optional<String> cookie = created.header("set-cookie").map(SESSION_COOKIE::matcher)
                    .filter(Matcher::find).map(c -> c.group(1));
            if (created.status() != 200 || cookie.isEmpty()) {
                return Optional.empty();
            }
            return token.equals(read(cluster, cookie.get()).orElse("")) ? cookie : Optional.empty();
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    /** The probe attribute the upstream received for this cookie, empty when it got none. */
    private static Optional<String> read(ChaosCluster cluster, String cookie) throws java.io.IOException {
        HttpResult r = cluster.httpGet(cluster.frontUrl().resolve(PREFIX + "/echo"),
                Map.of("Cookie", "lg_session=" + cookie));
        if (r.status() >= 500) {
            throw new ServerError(r.status());
        }
        Matcher m = PROBE_HEADER.matcher(r.body());
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private void loop() {
        while (!stop.get()) {
            for (Map.Entry<String, String> s : cookieByToken.entrySet()) {
                if (stop.get()) {
                    return;
                }
                reads.incrementAndGet();
                try {
                    if (!s.getKey().equals(read(cluster, s.getValue()).orElse(""))) {
                        withoutSession.incrementAndGet();
                    }
                } catch (ServerError e) {
                    serverErrors.incrementAndGet();
                } catch (java.io.IOException e) {
                    unanswered.incrementAndGet(); // a node being killed: HAProxy retries, the LB may still cut one
                }
            }
        }
    }

    /** Stops the loop, then reads every session until it is back or {@link #FINAL_CHECK_BOUND} passed. */
    @Override
    public void close() throws InterruptedException {
        if (stop.getAndSet(true)) {
            return;
        }
        thread.join();
        List<String> missing = new ArrayList<>(cookieByToken.keySet());
        long deadline = System.nanoTime() + FINAL_CHECK_BOUND.toNanos();
        while (!missing.isEmpty() && System.nanoTime() < deadline) {
            missing.removeIf(token -> {
                try {
                    return token.equals(read(cluster, cookieByToken.get(token)).orElse(""));
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            if (!missing.isEmpty()) {
                Thread.sleep(250); // the cluster is still recovering: read again
            }
        }
        lost = missing.size();
    }

    /** Pushes the cluster's own routes back (a newer version of the same document). */
    static void restoreRoutes(ChaosCluster cluster, ScenarioContext ctx) throws Exception {
        RoutesDocs.push(cluster, ctx.outDir(), "after-session-" + Long.toString(System.currentTimeMillis(), 36));
    }

    String summary() {
        return "sessions: " + SESSIONS + " open, " + reads.get() + " reads, " + withoutSession.get()
                + " served without their session (Redis failing over), " + serverErrors.get() + " 5xx, "
                + unanswered.get() + " unanswered, lost after the faults: " + lost;
    }

    List<Criterion> criteria() {
        return List.of(
                Criterion.atMost("lost sessions", "sessions whose attribute did not come back within "
                        + FINAL_CHECK_BOUND.toSeconds() + " s after the faults (" + SESSIONS + " open); "
                        + withoutSession.get() + " of " + reads.get() + " reads during the faults were served "
                        + "without their session", lost, "sessions", 0),
                Criterion.atMost("5xx on the session route", "reads of " + PREFIX + " answered 5xx",
                        serverErrors.get(), "responses", 0));
    }

    private static final class ServerError extends java.io.IOException {
        ServerError(int status) {
            super("HTTP " + status);
        }
    }
}
