package dev.loomgate.gateway.routing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Level;
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
 * The node's current routing snapshot, the document and discovered endpoints it was built from,
 * and the record of the last rejected change, all held in one immutable {@link View} swapped
 * atomically. Requests read {@link #current()} once; a config change builds a whole new view and
 * swaps it in. Readers never lock; the rebuild lock only serialises writers so each builds on the
 * latest document and endpoints.
 *
 * <p>Upstreams with a {@code consul:} source take their endpoints from {@link #discovered}: a
 * change there rebuilds the snapshot (same version and route table, the registry reusing live
 * hosts) and swaps it in the same way, so requests never see a half-updated upstream.
 */
public final class RoutingState {
    /** How many refused changes {@link View#recentRejections()} keeps. */
    public static final int KEPT_REJECTIONS = 10;
    private static final Logger LOG = Logger.getLogger(RoutingState.class.getName());

    /** A change that was refused, and why. */
    public record Rejection(String source, String reason, Instant at) {
    }

    /**
     * Everything the state holds, read in one go: the snapshot requests route with, the document
     * and the discovered endpoints it was built from, and the last refused change.
     */
    public static final class View {
        private final RoutingSnapshot snapshot;
        private final RoutesDocument document;
        private final Map<ConsulService, List<Endpoint>> discovered;
        private final Rejection lastRejection;
        private final List<Rejection> recentRejections;

        private View(RoutingSnapshot snapshot, RoutesDocument document, Map<ConsulService, List<Endpoint>> discovered,
                     Rejection lastRejection, List<Rejection> recentRejections) {
            this.snapshot = snapshot;
            this.document = document;
            this.discovered = Map.copyOf(discovered);
            this.lastRejection = lastRejection;
            this.recentRejections = List.copyOf(recentRejections);
        }

        public RoutingSnapshot snapshot() {
            return snapshot;
        }

        /** The document behind the snapshot (before discovered endpoints were filled in). */
        public Optional<RoutesDocument> document() {
            return Optional.ofNullable(document);
        }

        /** The endpoints last discovered per Consul service (immutable). */
        public Map<ConsulService, List<Endpoint>> discovered() {
            return discovered;
        }

        public Optional<Rejection> lastRejection() {
            return Optional.ofNullable(lastRejection);
        }

        /** The last {@value RoutingState#KEPT_REJECTIONS} refused changes, oldest first (the cluster page lists them). */
        public List<Rejection> recentRejections() {
            return recentRejections;
        }
    }

    private final AtomicReference<View> view = new AtomicReference<>(
            new View(RoutingSnapshot.empty(), null, Map.of(), null, List.of()));
    private final UpstreamRegistry registry = new UpstreamRegistry();
    private final LongAdder applied = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder endpointUpdates = new LongAdder();
    private final List<Consumer<RoutingSnapshot>> listeners = new CopyOnWriteArrayList<>();
    // Serialises writers (document, endpoints, rejection) so each builds on the latest view.
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

    /** The whole state as one consistent value. */
    public View view() {
        return view.get();
    }

    public RoutingSnapshot current() {
        return view.get().snapshot();
    }

    /**
     * Builds and swaps in a snapshot for a validated document. Discovered endpoints of services
     * the document no longer uses are forgotten.
     */
    public RoutingSnapshot apply(RoutesDocument doc) {
        RoutingSnapshot next;
        RoutingSnapshot previous;
        RouteTable table = doc.routeTable();
        Pipelines pipelines = Pipelines.create(doc.routes(), doc.pipelines(), services);
        rebuild.lock();
        try {
            View now = view.get();
            Map<ConsulService, List<Endpoint>> kept = new HashMap<>();
            for (UpstreamDefinition u : doc.upstreams()) {
                u.consul().ifPresent(svc -> {
                    List<Endpoint> eps = now.discovered().get(svc);
                    if (eps != null) {
                        kept.put(svc, eps);
                    }
                });
            }
            next = new RoutingSnapshot(doc.version(), table, registry.apply(withDiscovered(doc.upstreams(), kept)),
                    pipelines, Instant.now());
            previous = now.snapshot();
            view.set(new View(next, doc, kept, now.lastRejection, now.recentRejections));
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
     * The list is kept even then, so a document that starts using the service finds it.
     */
    public void discovered(ConsulService service, List<Endpoint> endpoints) {
        RoutingSnapshot next = null;
        rebuild.lock();
        try {
            View now = view.get();
            List<Endpoint> copy = List.copyOf(endpoints);
            if (copy.equals(now.discovered().get(service))) {
                return;
            }
            Map<ConsulService, List<Endpoint>> discovered = new HashMap<>(now.discovered());
            discovered.put(service, copy);
            RoutingSnapshot snapshot = now.snapshot();
            RoutesDocument doc = now.document;
            if (doc != null && doc.upstreams().stream().anyMatch(u -> u.consul().equals(Optional.of(service)))) {
                snapshot = new RoutingSnapshot(snapshot.version(), snapshot.routes(),
                        registry.apply(withDiscovered(doc.upstreams(), discovered)), snapshot.pipelines(), Instant.now());
                next = snapshot;
            }
            view.set(new View(snapshot, doc, discovered, now.lastRejection, now.recentRejections));
            if (next != null) {
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
        return view.get().document();
    }

    /** The endpoints last discovered per Consul service. */
    public Map<ConsulService, List<Endpoint>> discoveredEndpoints() {
        return view.get().discovered();
    }

    /** Called (on the applying thread, after the swap) with each new snapshot; keep it cheap. */
    public void addListener(Consumer<RoutingSnapshot> listener) {
        listeners.add(listener);
    }

    private static List<UpstreamDefinition> withDiscovered(List<UpstreamDefinition> defs,
                                                           Map<ConsulService, List<Endpoint>> discovered) {
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
                LOG.log(Level.WARNING, "routing listener failed", e);
            }
        }
    }

    /** Records a refused change; the current snapshot keeps serving. */
    public void reject(ConfigException e) {
        rejected.increment();
        Rejection rejection = new Rejection(e.source(), e.getMessage(), Instant.now());
        rebuild.lock();
        try {
            View now = view.get();
            List<Rejection> recent = new ArrayList<>(now.recentRejections);
            recent.add(rejection);
            if (recent.size() > KEPT_REJECTIONS) {
                recent.removeFirst();
            }
            view.set(new View(now.snapshot(), now.document, now.discovered(), rejection, recent));
        } finally {
            rebuild.unlock();
        }
        LOG.warning(() -> "routes change rejected, still serving version " + current().version() + ": " + e.getMessage());
    }

    public Optional<Rejection> lastRejection() {
        return view.get().lastRejection();
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
        // the version as a label: comparing nodes (divergence alert, dashboard) needs the text, not a number
        p.help("loomgate_config_info", "gauge", "1, labelled with the version of the routing snapshot in use.");
        p.sample("loomgate_config_info", "version=\"" + PrometheusText.escape(current().version()) + "\"", 1);
    }
}
