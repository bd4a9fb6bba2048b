package dev.loomgate.gateway.saga;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.loomgate.gateway.observe.PrometheusText;
import dev.loomgate.gateway.redis.RedisConnections;
import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.saga.SagaLogStore;
import dev.loomgate.gateway.upstream.Upstream;
import java.util.function.Function;
import dev.loomgate.gateway.saga.SagaRecord.State;
import jakarta.json.JsonObject;

/**
 * A node's saga engine: starts sagas for composite routes, runs them on virtual threads, and on every node a
 * recovery loop takes over sagas whose owner stopped renewing its lease (docs/SAGAS.md, Recovery). Needs Redis:
 * without a durable log there are no composite routes.
 */
public final class SagaService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SagaService.class.getName());
    private static final Duration MIN_READ_TIMEOUT = Duration.ofSeconds(1);
    private static final int SCAN_BATCH = 50;
    private static final SecureRandom IDS = new SecureRandom();

    private final String node;
    private final RedisConnections redis;
    private final SagaLog log;
    private final ParticipantClient client;
    private final SagaMetrics metrics = new SagaMetrics();
    private final Duration scanEvery;
    /** Definitions by {@code route@version}: every version this node has loaded since it started. */
    private final Map<String, SagaDefinition> definitions = new ConcurrentHashMap<>();
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Map<String, CompletableFuture<SagaRecord>> waiters = new ConcurrentHashMap<>();
    private final AtomicBoolean halted = new AtomicBoolean();
    private final Thread recovery;

    private SagaService(String node, RedisConnections redis, Function<String, Optional<Upstream>> upstreams, Duration scanEvery) {
        this.node = node;
        this.redis = redis;
        this.log = new SagaLog(redis);
        this.client = new ParticipantClient(upstreams);
        this.scanEvery = scanEvery;
        this.recovery = Thread.ofVirtual().name("saga-recovery-" + node).unstarted(this::recoveryLoop);
    }

    /**
     * @param scanEvery how often the recovery loop looks for sagas whose lease ran out
     */
    public static SagaService open(String node, RedisSettings settings, Function<String, Optional<Upstream>> upstreams,
                                   Duration scanEvery) {
        // log writes are not on a latency budget like rate limits: a slow Redis must not look like a dead one
        RedisSettings s = settings.readTimeout().compareTo(MIN_READ_TIMEOUT) >= 0 ? settings
                : settings.toBuilder().readTimeout(MIN_READ_TIMEOUT).poolWait(Duration.ofMillis(500)).build();
        SagaService service = new SagaService(node, RedisConnections.open(s), upstreams, scanEvery);
        service.recovery.start();
        return service;
    }

    public String node() {
        return node;
    }

    void register(SagaDefinition def) {
        definitions.put(def.key(), def);
    }

    /** A started saga: its id, and its end (final or stuck) when this node runs it to the end. */
    record Started(String id, CompletableFuture<SagaRecord> end) {
    }

    /** Writes the saga's first log entry and runs it on a virtual thread. @throws RuntimeException when Redis fails */
    Started start(SagaDefinition def, JsonObject request) {
        register(def);
        byte[] raw = new byte[16];
        IDS.nextBytes(raw);
        String id = HexFormat.of().formatHex(raw);
        SagaRecord r = SagaRecord.start(id, def, request, System.currentTimeMillis());
        OptionalLong token = log.create(r, node, def.lease());
        if (token.isEmpty()) {
            throw new IllegalStateException("saga id collision: " + id);
        }
        metrics.started.increment();
        CompletableFuture<SagaRecord> end = new CompletableFuture<>();
        waiters.put(id, end);
        launch(def, r, token.getAsLong());
        return new Started(id, end);
    }

    private void launch(SagaDefinition def, SagaRecord r, long token) {
        running.add(r.id);
        Thread.ofVirtual().name("saga-" + r.id).start(() -> {
            try {
                new SagaRunner(def, r, token, node, log, client, metrics, halted::get).run();
            } finally {
                running.remove(r.id);
                CompletableFuture<SagaRecord> w = waiters.remove(r.id);
                if (w != null) {
                    w.complete(r);
                }
            }
        });
    }

    private void recoveryLoop() {
        while (!halted.get()) {
            try {
                Thread.sleep(scanEvery);
                recoverDue();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "saga recovery scan failed", e);
            }
        }
    }

    /** One scan: takes over every saga whose lease ran out (package-visible for tests). */
    void recoverDue() {
        for (String id : log.due(System.currentTimeMillis(), SCAN_BATCH)) {
            if (halted.get() || running.contains(id)) {
                continue;
            }
            Optional<SagaRecord> seen = log.read(id);
            if (seen.isEmpty()) {
                log.dropIndexEntry(id);
                continue;
            }
            Optional<SagaDefinition> def = Optional.ofNullable(definitions.get(seen.get().route + "@" + seen.get().version));
            Duration lease = def.map(SagaDefinition::lease).orElse(Duration.ofSeconds(10));
            SagaLogStore.Acquired a = log.acquire(id, node, lease, false);
            if (!a.ok()) {
                if (a.isFinal()) {
                    log.dropIndexEntry(id);
                }
                continue;
            }
            metrics.takeovers.increment();
            SagaRecord r = log.read(id).orElseThrow();
            if (def.isEmpty()) {
                parkUnknown(r, a.token(), lease);
                continue;
            }
            LOG.info(() -> "node " + node + " took over saga " + id + " (route " + r.route + ", " + r.state.label() + ")");
            launch(def.get(), r, a.token());
        }
    }

    private void parkUnknown(SagaRecord r, long token, Duration lease) {
        r.parkedFrom = r.state;
        r.state = State.STUCK;
        r.reason = "definition " + r.route + "@" + r.version + " is not loaded on node " + node;
        log.write(r, token, node, lease);
        metrics.stuck.increment();
    }

    public Optional<JsonObject> status(String id) {
        return log.read(id).map(SagaRecord::summary);
    }

    Optional<SagaRecord> record(String id) {
        return log.read(id);
    }

    Optional<SagaDefinition> definition(SagaRecord r) {
        return Optional.ofNullable(definitions.get(r.route + "@" + r.version));
    }

    /** Unfinished then recently finished sagas; {@code state} filters (e.g. "stuck"). */
    public List<JsonObject> list(Optional<String> state, int max) {
        List<String> ids = state.filter("stuck"::equals).isPresent() ? log.stuck(max) : log.listed(max);
        return ids.stream().map(log::read).flatMap(Optional::stream).map(SagaRecord::summary)
                .filter(s -> state.isEmpty() || s.getString("state").equals(state.get())).toList();
    }

    /** What an operator's retry or abort came to. */
    public record AdminResult(boolean done, String detail) {
    }

    /** Resumes a stuck saga where it was parked (one more bounded round of attempts), on this node. */
    public AdminResult retry(String id) {
        Optional<SagaRecord> r = log.read(id);
        if (r.isEmpty()) {
            return new AdminResult(false, "no saga " + id);
        }
        if (r.get().state != State.STUCK) {
            return new AdminResult(false, "saga " + id + " is " + r.get().state.label() + ", not stuck");
        }
        Optional<SagaDefinition> def = definition(r.get());
        if (def.isEmpty()) {
            return new AdminResult(false, "definition " + r.get().route + "@" + r.get().version + " is not loaded here");
        }
        SagaLogStore.Acquired a = log.acquire(id, node, def.get().lease(), true);
        if (!a.ok()) {
            return new AdminResult(false, a.refusal());
        }
        SagaRecord fresh = log.read(id).orElseThrow();
        fresh.state = fresh.parkedFrom;
        log.write(fresh, a.token(), node, def.get().lease());
        launch(def.get(), fresh, a.token());
        return new AdminResult(true, "saga " + id + " resumed (" + fresh.state.label() + ") on node " + node);
    }

    /** Gives a stuck saga up: final state {@code aborted}; an operator settles the participants by hand. */
    public AdminResult abort(String id) {
        Optional<SagaRecord> r = log.read(id);
        if (r.isEmpty() || r.get().state != State.STUCK) {
            return new AdminResult(false, r.isEmpty() ? "no saga " + id : "only a stuck saga can be aborted; " + id
                    + " is " + r.get().state.label());
        }
        Duration lease = definition(r.get()).map(SagaDefinition::lease).orElse(Duration.ofSeconds(10));
        SagaLogStore.Acquired a = log.acquire(id, node, lease, true);
        if (!a.ok()) {
            return new AdminResult(false, a.refusal());
        }
        SagaRecord fresh = log.read(id).orElseThrow();
        fresh.state = State.ABORTED;
        fresh.reason = "aborted by an operator (was: " + fresh.reason + ")";
        log.write(fresh, a.token(), node, lease);
        return new AdminResult(true, "saga " + id + " aborted");
    }

    /**
     * Stops this node's saga work at once, as a crash would: running sagas write nothing more and send nothing more,
     * the recovery loop ends, leases are left to expire (tests and drills; {@link #close()} does it too).
     */
    public void halt() {
        halted.set(true);
        recovery.interrupt();
    }

    /** Ids of the sagas running on this node now. */
    public Set<String> runningIds() {
        return Set.copyOf(running);
    }

    public void writeMetrics(PrometheusText p) {
        long stuckNow = -1;
        try {
            stuckNow = log.stuckCount();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "reading the stuck count failed", e);
        }
        metrics.write(p, stuckNow);
    }

    SagaMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        halt();
        client.close();
        redis.close();
    }
}
