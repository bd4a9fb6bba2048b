package dev.loomgate.gateway.routing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Logger;

import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.config.RoutesDocument;
import dev.loomgate.gateway.observe.PrometheusText;
import dev.loomgate.gateway.pipeline.NodeServices;
import dev.loomgate.gateway.pipeline.Pipelines;
import dev.loomgate.gateway.route.RouteTable;
import dev.loomgate.gateway.upstream.ConsulService;
import dev.loomgate.gateway.upstream.Endpoint;
import dev.loomgate.gateway.upstream.UpstreamDefinition;
import dev.loomgate.gateway.upstream.UpstreamRegistry;

/**
 * The node's current routing snapshot and the record of the last rejected change. Requests read
 * {@link #current()} once; a config change builds a whole new snapshot and swaps it in.
 *
 * <p>Upstreams with a {@code consul:} source take their endpoints from {@link #discovered}: a
 * change there rebuilds the snapshot (same version and route table, the registry reusing live
 * hosts) and swaps it in the same way, so requests never see a half-updated upstream.
 */
public final class RoutingState {
    private static final Logger LOG = Logger.getLogger(RoutingState.class.getName());

    /** A change that was refused, and why. */
    public record Rejection(String source, String reason, Instant at) {
    }

    private final AtomicReference<RoutingSnapshot> current = new AtomicReference<>(RoutingSnapshot.empty());
    private final AtomicReference<Rejection> lastRejection = new AtomicReference<>();
    private final UpstreamRegistry registry = new UpstreamRegistry();
    private final LongAdder applied = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder endpointUpdates = new LongAdder();
    private final AtomicReference<RoutesDocument> document = new AtomicReference<>();
    private final Map<ConsulService, List<Endpoint>> discovered = new ConcurrentHashMap<>();
    private final List<Consumer<RoutingSnapshot>> listeners = new CopyOnWriteArrayList<>();
    // Serialises rebuilds (document or endpoints) so each builds on the latest of both.
    private final ReentrantLock rebuild = new ReentrantLock();
    private final NodeServices services;

    /** A routing state whose routes may use only policies that need no node service. */
    public RoutingState() {
        this(NodeServices.none());
    }

    /** @param services what the routes' policies may use when their filters are created (e.g. the rate limiter) */
    public RoutingState(NodeServices services) {
        this.services = services;
    }

    public RoutingSnapshot current() {
        return current.get();
    }

    /** Builds and swaps in a snapshot for a validated document. */
    public RoutingSnapshot apply(RoutesDocument doc) {
        RoutingSnapshot next;
        RoutingSnapshot previous;
        RouteTable table = doc.routeTable();
        Pipelines pipelines = Pipelines.create(doc.routes(), doc.pipelines(), services);
        rebuild.lock();
        try {
            next = new RoutingSnapshot(doc.version(), table, registry.apply(withDiscovered(doc.upstreams())),
                    pipelines, Instant.now());
            previous = current.getAndSet(next);
            document.set(doc);
        } finally {
            rebuild.unlock();
        }
        applied.increment();
        LOG.info(() -> "routes version " + doc.version() + " applied (" + doc.routes().size() + " routes, "
                + doc.upstreams().size() + " upstreams; was " + previous.version() + ")");
        notifyListeners(next);
        return next;
    }

    /**
     * Sets the endpoints discovered for {@code service}; every upstream of the current document
     * with that source gets them in a new snapshot (none is built when nothing uses the service).
     */
    public void discovered(ConsulService service, List<Endpoint> endpoints) {
        RoutingSnapshot next = null;
        rebuild.lock();
        try {
            List<Endpoint> copy = List.copyOf(endpoints);
            if (copy.equals(discovered.put(service, copy))) {
                return;
            }
            RoutesDocument doc = document.get();
            if (doc != null && doc.upstreams().stream().anyMatch(u -> u.consul().equals(Optional.of(service)))) {
                RoutingSnapshot now = current.get();
                RouteTable table = now.routes();
                next = new RoutingSnapshot(now.version(), table, registry.apply(withDiscovered(doc.upstreams())),
                        now.pipelines(), Instant.now());
                current.set(next);
                endpointUpdates.increment();
            }
        } finally {
            rebuild.unlock();
        }
        if (next != null) {
            notifyListeners(next);
        }
    }

    /** The document behind the current snapshot (before discovered endpoints were filled in). */
    public Optional<RoutesDocument> document() {
        return Optional.ofNullable(document.get());
    }

    /** The endpoints last discovered per Consul service. */
    public Map<ConsulService, List<Endpoint>> discoveredEndpoints() {
        return Map.copyOf(discovered);
    }

    /** Called (on the applying thread, after the swap) with each new snapshot; keep it cheap. */
    public void addListener(Consumer<RoutingSnapshot> listener) {
        listeners.add(listener);
    }

    private List<UpstreamDefinition> withDiscovered(List<UpstreamDefinition> defs) {
        List<UpstreamDefinition> out = new ArrayList<>(defs.size());
        for (UpstreamDefinition d : defs) {
            out.add(d.consul().isPresent() ? d.withEndpoints(discovered.getOrDefault(d.consul().get(), List.of())) : d);
        }
        return out;
    }

    private void notifyListeners(RoutingSnapshot snapshot) {
        for (Consumer<RoutingSnapshot> l : listeners) {
            try {
                l.accept(snapshot);
            } catch (RuntimeException e) {
                LOG.log(java.util.logging.Level.WARNING, "routing listener failed", e);
            }
        }
    }

    /** Records a refused change; the current snapshot keeps serving. */
    public void reject(ConfigException e) {
        rejected.increment();
        lastRejection.set(new Rejection(e.source(), e.getMessage(), Instant.now()));
        LOG.warning(() -> "routes change rejected, still serving version " + current().version() + ": " + e.getMessage());
    }

    public Optional<Rejection> lastRejection() {
        return Optional.ofNullable(lastRejection.get());
    }

    public void writeMetrics(PrometheusText p) {
        p.help("loomgate_config_changes_total", "counter", "Routing config changes by outcome.");
        p.sample("loomgate_config_changes_total", "outcome=\"applied\"", applied.sum());
        p.sample("loomgate_config_changes_total", "outcome=\"rejected\"", rejected.sum());
        p.help("loomgate_discovered_endpoint_updates_total", "counter",
                "Snapshots rebuilt because discovered endpoints changed.");
        p.sample("loomgate_discovered_endpoint_updates_total", "", endpointUpdates.sum());
        p.help("loomgate_config_applied_timestamp_seconds", "gauge", "When the current routing snapshot was applied.");
        p.sample("loomgate_config_applied_timestamp_seconds", "", current().appliedAt().toEpochMilli() / 1000.0);
    }
}
