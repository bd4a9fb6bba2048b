package dev.loomgate.gateway.demo;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;

/**
 * A saga participant service for tests and the demo (docs/SAGAS.md), on loopback (orders, stock, payments...) that keeps its own state per saga: {@code POST
 * /try} reserves, {@code /confirm} confirms, {@code /cancel} releases. It honours {@code Idempotency-Key} (a repeated
 * key gets the first answer and changes nothing), records a cancel that arrives before its try ("empty rollback")
 * and then refuses that try ("suspension"), and can be told to fail, slow down or hang per action.
 */
public final class DemoParticipant implements AutoCloseable {
    /** What this service holds for one saga. */
    public enum Holding { RESERVED, CONFIRMED, CANCELLED, EMPTY_CANCELLED }

    private record Answer(int status, String body) {
    }

    private final String name;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Holding> bySaga = new ConcurrentHashMap<>();
    private final Map<String, Answer> byKey = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    private final Map<String, Integer> failStatus = new ConcurrentHashMap<>();
    private final Map<String, Long> delays = new ConcurrentHashMap<>();
    private volatile CountDownLatch hang = new CountDownLatch(0);
    private volatile String hangAction = "";
    private volatile String hangAfterAction = "";
    /** Calls blocked by {@link #hang} or {@link #hangAfterEffect} right now. */
    private final AtomicInteger hanging = new AtomicInteger();
    private volatile int jitterMs;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong redeliveries = new AtomicLong();
    private final AtomicLong duplicateEffects = new AtomicLong();
    private final AtomicLong suspensionsRefused = new AtomicLong();
    private final AtomicLong emptyRollbacks = new AtomicLong();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    private DemoParticipant(String name, String host, int port) throws IOException {
        this.name = name;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 200);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A participant on an ephemeral loopback port. */
    public static DemoParticipant start(String name) throws IOException {
        return new DemoParticipant(name, "127.0.0.1", 0);
    }

    public static DemoParticipant start(String name, int port) throws IOException {
        return new DemoParticipant(name, "127.0.0.1", port);
    }

    /** On {@code host} (the demo cluster's namespace mode binds a namespace's address). */
    public static DemoParticipant start(String name, String host, int port) throws IOException {
        return new DemoParticipant(name, host, port);
    }

    public String address() {
        return server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    /** The next {@code times} calls of {@code action} answer {@code status}. */
    public void fail(String action, int status, int times) {
        failStatus.put(action, status);
        failures.put(action, new AtomicInteger(times));
    }

    public void delay(String action, long ms) {
        delays.put(action, ms);
    }

    /** Up to {@code ms} of random delay on every call (so that a killed node dies mid-call). */
    public void jitter(int ms) {
        jitterMs = ms;
    }

    /** Calls of {@code action} hang until {@link #release()}. */
    public void hang(String action) {
        hang = new CountDownLatch(1);
        hangAction = action;
    }

    /** Calls of {@code action} take effect, then hang before answering until {@link #release()}. */
    public void hangAfterEffect(String action) {
        hang = new CountDownLatch(1);
        hangAfterAction = action;
    }

    public void release() {
        hang.countDown();
    }

    public Optional<Holding> holding(String sagaId) {
        return Optional.ofNullable(bySaga.get(sagaId));
    }

    public Map<String, Holding> holdings() {
        return Map.copyOf(bySaga);
    }

    public int calls(String action) {
        return calls.getOrDefault(action, new AtomicInteger()).get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if ("GET".equals(ex.getRequestMethod()) && "/state".equals(ex.getRequestURI().getPath())) {
                // read-only, not counted: what a checker outside this JVM (the chaos harness) verifies
                send(ex, new Answer(200, state()));
                return;
            }
            if ("POST".equals(ex.getRequestMethod()) && "/control/jitter".equals(ex.getRequestURI().getPath())) {
                // another process (the chaos harness) slows the calls so that a killed node dies mid-saga
                String q = Optional.ofNullable(ex.getRequestURI().getQuery()).orElse("");
                if (!q.matches("ms=\\d{1,5}")) {
                    send(ex, new Answer(400, "{\"error\":\"ms=0..99999 required\"}"));
                    return;
                }
                jitter(Integer.parseInt(q.substring(3)));
                send(ex, new Answer(200, "{\"jitterMs\":" + jitterMs + "}"));
                return;
            }
            requests.incrementAndGet();
            String action = ex.getRequestURI().getPath().substring(1);
            calls.computeIfAbsent(action, a -> new AtomicInteger()).incrementAndGet();
            String key = Optional.ofNullable(ex.getRequestHeaders().getFirst("Idempotency-Key")).orElse("");
            byte[] in = ex.getRequestBody().readAllBytes();
            pause(action);
            AtomicInteger f = failures.get(action);
            if (f != null && f.getAndDecrement() > 0) {
                send(ex, new Answer(failStatus.get(action), "{\"error\":\"told to fail\"}"));
                return;
            }
            if (key.split(":").length != 3) {
                send(ex, new Answer(400, "{\"error\":\"Idempotency-Key {saga}:{step}:{action} required\"}"));
                return;
            }
            Answer earlier = byKey.get(key);
            if (earlier != null) {
                redeliveries.incrementAndGet();
                send(ex, earlier);
                return;
            }
            String saga = key.split(":")[0];
            JsonObject body = in.length == 0 ? JsonObject.EMPTY_JSON_OBJECT
                    : Json.createReader(new StringReader(new String(in, StandardCharsets.UTF_8))).readObject();
            Answer a;
            synchronized (this) {
                earlier = byKey.get(key);
                if (earlier != null) {
                    redeliveries.incrementAndGet();
                    send(ex, earlier);
                    return;
                }
                a = apply(action, saga, body);
                if (a.status() < 500) {
                    byKey.put(key, a);
                }
            }
            if (action.equals(hangAfterAction)) {
                block();
            }
            send(ex, a);
        }
    }

    /**
     * {@code GET /state}: {@code {"name":..,"holdings":{saga: RESERVED|CONFIRMED|CANCELLED|EMPTY_CANCELLED},
     * "requests":n,"redeliveries":n,"duplicateEffects":n,"suspensionsRefused":n,"emptyRollbacks":n}}.
     */
    String state() {
        var holdingsJson = Json.createObjectBuilder();
        new java.util.TreeMap<>(bySaga).forEach((saga, h) -> holdingsJson.add(saga, h.name()));
        return Json.createObjectBuilder().add("name", name).add("holdings", holdingsJson)
                .add("requests", requests.get()).add("redeliveries", redeliveries.get())
                .add("duplicateEffects", duplicateEffects.get()).add("suspensionsRefused", suspensionsRefused.get())
                .add("emptyRollbacks", emptyRollbacks.get()).build().toString();
    }

    private Answer apply(String action, String saga, JsonObject body) {
        Holding now = bySaga.get(saga);
        String id = name + "-" + ids.incrementAndGet();
        return switch (action) {
            case "try" -> {
                if (now == Holding.EMPTY_CANCELLED || now == Holding.CANCELLED) {
                    suspensionsRefused.incrementAndGet();
                    yield new Answer(409, "{\"error\":\"saga already cancelled here (suspension)\"}");
                }
                if (now != null) {
                    duplicateEffects.incrementAndGet();
                    yield new Answer(200, "{\"id\":\"" + id + "\",\"duplicate\":true}");
                }
                if (body.getBoolean("reject", false)) {
                    yield new Answer(422, "{\"error\":\"rejected by " + name + "\"}");
                }
                bySaga.put(saga, Holding.RESERVED);
                yield new Answer(201, "{\"id\":\"" + id + "\",\"saga\":\"" + saga + "\"}");
            }
            case "confirm" -> {
                if (now != Holding.RESERVED && now != Holding.CONFIRMED) {
                    yield new Answer(409, "{\"error\":\"nothing reserved to confirm\"}");
                }
                bySaga.put(saga, Holding.CONFIRMED);
                yield new Answer(200, "{\"confirmed\":\"" + saga + "\"}");
            }
            case "cancel" -> {
                if (now == null) {
                    emptyRollbacks.incrementAndGet();
                    bySaga.put(saga, Holding.EMPTY_CANCELLED);
                } else if (now == Holding.RESERVED) {
                    bySaga.put(saga, Holding.CANCELLED);
                } else if (now == Holding.CONFIRMED) {
                    yield new Answer(409, "{\"error\":\"already confirmed\"}");
                }
                yield new Answer(200, "{\"cancelled\":\"" + saga + "\"}");
            }
            default -> new Answer(404, "{\"error\":\"no such action\"}");
        };
    }

    private void pause(String action) {
        try {
            long d = delays.getOrDefault(action, 0L) + (jitterMs > 0 ? ThreadLocalRandom.current().nextInt(jitterMs) : 0);
            if (d > 0) {
                Thread.sleep(d);
            }
            if (action.equals(hangAction)) {
                block();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void block() {
        CountDownLatch latch = hang;
        hanging.incrementAndGet();
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            hanging.decrementAndGet();
        }
    }

    private static void send(HttpExchange ex, Answer a) throws IOException {
        byte[] b = a.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(a.status(), b.length);
        ex.getResponseBody().write(b);
    }

    /** Calls held by {@link #hang} or {@link #hangAfterEffect} right now. */
    public int hanging() {
        return hanging.get();
    }

    /** Requests received in all. */
    public long requests() {
        return requests.get();
    }

    /** Requests whose Idempotency-Key was seen before: answered from the first answer, no effect. */
    public long redeliveries() {
        return redeliveries.get();
    }

    /** Effects applied twice for one saga (a second try under another key): must stay 0. */
    public long duplicateEffects() {
        return duplicateEffects.get();
    }

    /** Tries refused because their saga was cancelled here first (TCC suspension). */
    public long suspensionsRefused() {
        return suspensionsRefused.get();
    }

    /** Cancels that found nothing to undo (TCC empty rollback). */
    public long emptyRollbacks() {
        return emptyRollbacks.get();
    }

    @Override
    public String toString() {
        return name;
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        executor.shutdownNow();
    }

    /**
     * {@code DemoParticipant NAME:[HOST:]PORT...}: e.g. {@code orders:9101 stock:9102 payments:9103} (HOST defaults
     * to 127.0.0.1).
     */
    public static void main(String[] args) throws Exception {
        java.util.List<DemoParticipant> started = new java.util.ArrayList<>();
        for (String a : args) {
            String[] np = a.split(":");
            if (np.length != 2 && np.length != 3) {
                System.err.println("usage: DemoParticipant NAME:[HOST:]PORT [NAME:[HOST:]PORT...]");
                System.exit(2);
            }
            String host = np.length == 3 ? np[1] : "127.0.0.1";
            DemoParticipant p = start(np[0], host, Integer.parseInt(np[np.length - 1]));
            started.add(p);
            System.out.println("participant " + np[0] + " on http://" + p.address()
                    + " (POST /try /confirm /cancel, GET /state)");
        }
        if (started.isEmpty()) {
            System.err.println("usage: DemoParticipant NAME:[HOST:]PORT [NAME:[HOST:]PORT...]");
            System.exit(2);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> started.forEach(DemoParticipant::close)));
        Thread.currentThread().join();
    }
}
