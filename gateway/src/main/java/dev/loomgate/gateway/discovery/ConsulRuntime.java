package dev.loomgate.gateway.discovery;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.loomgate.gateway.cluster.NodeRegistration;
import dev.loomgate.gateway.config.ConfigException;
import dev.loomgate.gateway.config.ConsulConfig;
import dev.loomgate.gateway.config.NodeConfig;
import dev.loomgate.gateway.config.RoutesDocument;
import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.consul.Backoff;
import dev.loomgate.gateway.consul.ConsulClient;
import dev.loomgate.gateway.consul.ConsulException;
import dev.loomgate.gateway.consul.KvEntry;
import dev.loomgate.gateway.consul.ServiceRegistration;
import dev.loomgate.gateway.observe.PrometheusText;
import dev.loomgate.gateway.upstream.ConsulService;
import dev.loomgate.gateway.upstream.Endpoint;
import dev.loomgate.gateway.upstream.UpstreamDefinition;

/**
 * Everything a node does with Consul: routes from KV, endpoints of {@code consul:} upstreams,
 * the last-known-good snapshot, self-registration, and the operator's freeze switch. Built by
 * {@code GatewayNode} when the node config has a {@code consul:} block.
 */
public final class ConsulRuntime implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConsulRuntime.class.getName());
    private static final String VERSION = Optional.ofNullable(ConsulRuntime.class.getPackage().getImplementationVersion())
            .orElse("dev");

    private final ConsulConfig config;
    private final NodeConfig.Node node;
    private final RoutingState routing;
    private final ConsulClient client;
    private final KvRoutesLayout layout;
    private final Backoff backoff = Backoff.defaults();
    private final AtomicBoolean frozen = new AtomicBoolean();
    private final Map<ConsulService, ServiceEndpointsWatcher> watchers = new ConcurrentHashMap<>();
    private final Set<ConsulService> running = ConcurrentHashMap.newKeySet();
    private final Optional<KvRoutesWatcher> kv;
    private final Semaphore snapshotDue = new Semaphore(0);
    private volatile Optional<NodeRegistration> registration = Optional.empty();
    private volatile String startedFrom = "consul";
    private volatile boolean closed;
    private Thread snapshotWriter;

    public ConsulRuntime(ConsulConfig config, NodeConfig.Node node, RoutingState routing) {
        this.config = config;
        this.node = node;
        this.routing = routing;
        this.client = new ConsulClient(config.settings());
        this.layout = new KvRoutesLayout(config.kvPrefix());
        this.frozen.set(config.freeze());
        this.kv = config.routesFromKv()
                ? Optional.of(new KvRoutesWatcher(layout, client, config.watchWait(), backoff, routing, node.id(),
                frozen::get))
                : Optional.empty();
        routing.addListener(s -> {
            syncWatchers();
            snapshotDue.release();
        });
    }

    public boolean routesFromKv() {
        return config.routesFromKv();
    }

    public ConsulClient client() {
        return client;
    }

    /**
     * Loads the first config before the node listens: live from Consul when it answers, else
     * from the last-known-good snapshot (and then switches to live data when Consul returns).
     * In file mode the caller has applied the routes file already; only endpoints load here.
     */
    public void bootstrap() throws ConfigException {
        Optional<LastKnownGood> snapshot = readSnapshot();
        boolean consulUp = true;
        if (kv.isPresent()) {
            boolean applied = false;
            try {
                applied = kv.get().bootstrap(client.kvList(layout.prefix()).value());
            } catch (ConsulException e) {
                consulUp = false;
                LOG.warning("Consul unreachable at start (" + e.getMessage() + ")");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                consulUp = false;
            }
            if (!applied && snapshot.isPresent() && snapshot.get().routesText().isPresent()) {
                String text = snapshot.get().routesText().get();
                snapshot.get().endpoints().forEach(routing::discovered);
                RoutesDocument doc = RoutesParser.parse(text, config.snapshotFile().toString());
                routing.apply(doc);
                kv.get().assumeApplied(text);
                startedFrom = "snapshot";
                LOG.warning(() -> "serving routes version " + doc.version() + " from the last-known-good snapshot "
                        + config.snapshotFile() + " (written " + snapshot.get().writtenAt() + ")");
            } else if (!applied) {
                LOG.warning("no routes in Consul and no snapshot yet: serving no routes until some are pushed");
            }
        }
        // First endpoints: a direct read when Consul answers, else the snapshot's lists.
        for (ConsulService svc : servicesInUse()) {
            ServiceEndpointsWatcher w = watcher(svc);
            Optional<List<Endpoint>> fromSnapshot = snapshot.map(s -> s.endpoints().get(svc));
            if (consulUp) {
                try {
                    var r = client.healthService(svc.service(), svc.tags(), svc.passingOnly(), 0,
                            config.watchWait());
                    w.seed(ServiceEndpointsWatcher.endpoints(r.value(), svc.passingOnly()), false);
                    continue;
                } catch (ConsulException e) {
                    consulUp = false;
                    LOG.warning("Consul unreachable at start (" + e.getMessage() + ")");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (fromSnapshot.isPresent()) {
                w.seed(fromSnapshot.get(), true);
                startedFrom = "snapshot";
            }
        }
    }

    /** Starts the watches, the snapshot writer and (when configured) the registration. */
    public void start(int port, int adminPort, java.util.function.Consumer<java.util.function.IntSupplier> liveNodes) {
        kv.ifPresent(KvRoutesWatcher::start);
        syncWatchers();
        snapshotWriter = Thread.ofVirtual().name("consul-snapshot-writer").start(this::writeSnapshots);
        snapshotDue.release();
        if (config.register()) {
            String address = advertiseAddress();
            String adminHost = wildcard(node.adminHost()) ? address : node.adminHost();
            var check = new ServiceRegistration.HttpCheck("loomgate:" + node.id() + ":ready",
                    "http://" + hostPort(adminHost, adminPort) + "/health/ready", config.checkInterval(),
                    config.checkInterval().multipliedBy(2).compareTo(java.time.Duration.ofSeconds(5)) < 0
                            ? config.checkInterval().multipliedBy(2) : java.time.Duration.ofSeconds(5),
                    config.deregisterAfter());
            var reg = new ServiceRegistration(node.id(), NodeRegistration.SERVICE, address, port, List.of(),
                    Map.of("version", VERSION, "admin-port", Integer.toString(adminPort)), Optional.of(check));
            NodeRegistration r = new NodeRegistration(client, reg, config.watchWait(), backoff).start();
            registration = Optional.of(r);
            liveNodes.accept(r::liveNodes);
        }
    }

    /** How many nodes Consul reports passing, for the rate limiter; empty without registration. */
    public Optional<Integer> liveNodes() {
        return registration.map(NodeRegistration::liveNodes);
    }

    public Optional<NodeRegistration> registration() {
        return registration;
    }

    // ---------------------------------------------------------------- watchers

    private Set<ConsulService> servicesInUse() {
        Set<ConsulService> out = new HashSet<>();
        routing.document().ifPresent(d -> {
            for (UpstreamDefinition u : d.upstreams()) {
                u.consul().ifPresent(out::add);
            }
        });
        return out;
    }

    private ServiceEndpointsWatcher watcher(ConsulService svc) {
        return watchers.computeIfAbsent(svc, s -> new ServiceEndpointsWatcher(s, client, config.watchWait(), backoff,
                config.panicThreshold(), routing::discovered, frozen::get));
    }

    /** Starts a watcher per service the current routes use and stops the others. */
    private void syncWatchers() {
        if (closed || snapshotWriter == null) {
            return;
        }
        Set<ConsulService> wanted = servicesInUse();
        for (ConsulService svc : wanted) {
            ServiceEndpointsWatcher w = watcher(svc);
            if (running.add(svc)) {
                w.start();
            }
        }
        for (ConsulService svc : Set.copyOf(watchers.keySet())) {
            if (!wanted.contains(svc)) {
                ServiceEndpointsWatcher w = watchers.remove(svc);
                running.remove(svc);
                if (w != null) {
                    w.close();
                }
            }
        }
    }

    // ---------------------------------------------------------------- freeze

    public boolean frozen() {
        return frozen.get();
    }

    /** Keeps serving the current snapshot; Consul changes are recorded but not applied. */
    public void freeze() {
        if (!frozen.getAndSet(true)) {
            LOG.warning("frozen: Consul changes are not applied until unfreeze");
        }
    }

    /** Applies what changed in Consul while frozen, then follows Consul again. */
    public void unfreeze() {
        if (frozen.getAndSet(false)) {
            LOG.info("unfrozen: applying the latest Consul state");
            kv.ifPresent(KvRoutesWatcher::offer);
            watchers.values().forEach(ServiceEndpointsWatcher::offer);
        }
    }

    // ---------------------------------------------------------------- snapshot

    private Optional<LastKnownGood> readSnapshot() {
        try {
            return LastKnownGood.read(config.snapshotFile());
        } catch (IOException e) {
            LOG.warning("ignoring the snapshot: " + e.getMessage());
            return Optional.empty();
        }
    }

    private void writeSnapshots() {
        while (!closed) {
            try {
                snapshotDue.acquire();
                snapshotDue.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            try {
                Map<ConsulService, List<Endpoint>> eps = new LinkedHashMap<>();
                for (ConsulService svc : servicesInUse()) {
                    List<Endpoint> l = routing.discoveredEndpoints().get(svc);
                    if (l != null) {
                        eps.put(svc, l);
                    }
                }
                Optional<String> text = kv.flatMap(KvRoutesWatcher::appliedText);
                if (kv.isPresent() && text.isEmpty()) {
                    continue; // nothing applied from KV yet: keep whatever snapshot exists
                }
                new LastKnownGood(routing.current().version(), text, eps, Instant.now()).write(config.snapshotFile());
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "could not write the snapshot " + config.snapshotFile(), e);
            }
        }
    }

    // ---------------------------------------------------------------- status

    /** The node's Consul state for the admin API. */
    public String statusJson() {
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"node\":").append(q(node.id()));
        sb.append(",\"version\":").append(q(routing.current().version()));
        sb.append(",\"started-from\":").append(q(startedFrom));
        sb.append(",\"frozen\":").append(frozen.get());
        sb.append(",\"routes-source\":").append(q(kv.isPresent() ? "consul-kv" : "file"));
        kv.ifPresent(k -> {
            var s = k.status();
            sb.append(",\"routes\":{\"state\":").append(q(s.state())).append(",\"version\":").append(q(s.version()))
                    .append(",\"applied-version\":").append(q(s.appliedVersion())).append(",\"reason\":")
                    .append(q(s.reason())).append(",\"at\":").append(q(s.at().toString())).append(",\"stale\":")
                    .append(k.stale()).append(",\"error\":").append(q(k.stale() ? k.lastError() : "")).append('}');
        });
        sb.append(",\"services\":[");
        boolean first = true;
        for (ServiceEndpointsWatcher w : watchers.values()) {
            sb.append(first ? "" : ",");
            first = false;
            sb.append("{\"service\":").append(q(w.service().service())).append(",\"tags\":")
                    .append(w.service().tags().stream().map(ConsulRuntime::q).toList().toString())
                    .append(",\"endpoints\":")
                    .append(w.applied().stream().map(e -> q(e.id())).toList().toString())
                    .append(",\"stale\":").append(w.stale())
                    .append(",\"panic\":").append(w.panicking())
                    .append(",\"refused\":").append(w.refused())
                    .append(",\"error\":").append(q(w.stale() ? w.lastError() : "")).append('}');
        }
        sb.append("]");
        registration.ifPresent(r -> sb.append(",\"registered\":").append(r.registered()));
        return sb.append('}').toString();
    }

    /** Cluster nodes from Consul: a live read, falling back to the watch's last view. */
    public String nodesJson() {
        List<dev.loomgate.gateway.consul.ServiceInstance> nodes;
        boolean live = true;
        try {
            nodes = client.healthService(NodeRegistration.SERVICE, List.of(), false, 0, config.watchWait()).value();
        } catch (ConsulException | InterruptedException e) {
            nodes = registration.map(NodeRegistration::nodes).orElse(List.of());
            live = false;
        }
        StringBuilder sb = new StringBuilder("{\"live\":").append(live).append(",\"nodes\":[");
        boolean first = true;
        for (var n : nodes) {
            sb.append(first ? "" : ",");
            first = false;
            sb.append("{\"id\":").append(q(n.serviceId())).append(",\"consul-node\":").append(q(n.node()))
                    .append(",\"address\":").append(q(n.address())).append(",\"port\":").append(n.port())
                    .append(",\"admin-port\":").append(q(n.meta().getOrDefault("admin-port", "")))
                    .append(",\"version\":").append(q(n.meta().getOrDefault("version", "")))
                    .append(",\"status\":").append(q(n.status())).append('}');
        }
        return sb.append("]}").toString();
    }

    public void writeMetrics(PrometheusText p) {
        p.help("loomgate_consul_frozen", "gauge", "1 while the operator froze this node on its snapshot.");
        p.sample("loomgate_consul_frozen", "", frozen.get() ? 1 : 0);
        p.help("loomgate_consul_stale", "gauge",
                "1 while Consul is unreachable and the last known data is in use (source: routes or service).");
        kv.ifPresent(k -> p.sample("loomgate_consul_stale", "source=\"routes\"", k.stale() ? 1 : 0));
        for (ServiceEndpointsWatcher w : watchers.values()) {
            p.sample("loomgate_consul_stale", "source=\"service:" + PrometheusText.escape(w.service().service()) + "\"",
                    w.stale() ? 1 : 0);
        }
        p.help("loomgate_discovery_panic", "gauge",
                "1 while a discovered endpoint list is refused (empty or below the panic threshold).");
        p.help("loomgate_discovery_refused_total", "counter", "Discovered endpoint lists refused by the panic guard.");
        p.help("loomgate_discovery_endpoints", "gauge", "Endpoints in use per Consul service.");
        for (ServiceEndpointsWatcher w : watchers.values()) {
            String l = "service=\"" + PrometheusText.escape(w.service().service()) + "\"";
            p.sample("loomgate_discovery_panic", l, w.panicking() ? 1 : 0);
            p.sample("loomgate_discovery_refused_total", l, w.refused());
            p.sample("loomgate_discovery_endpoints", l, w.applied().size());
        }
        p.help("loomgate_consul_index_resets_total", "counter", "Blocking-query indexes that went backwards and were reset.");
        long resets = kv.map(KvRoutesWatcher::indexResets).orElse(0L)
                + watchers.values().stream().mapToLong(ServiceEndpointsWatcher::indexResets).sum();
        p.sample("loomgate_consul_index_resets_total", "", resets);
    }

    public void registerAdmin(io.helidon.webserver.http.HttpRouting.Builder r) {
        r.get("/admin/consul", (req, res) -> json(res, statusJson()));
        r.get("/admin/nodes", (req, res) -> json(res, nodesJson()));
        r.post("/admin/consul/freeze", (req, res) -> {
            freeze();
            json(res, statusJson());
        });
        r.post("/admin/consul/unfreeze", (req, res) -> {
            unfreeze();
            json(res, statusJson());
        });
    }

    private static void json(io.helidon.webserver.http.ServerResponse res, String body) {
        res.header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/json");
        res.header(io.helidon.http.HeaderNames.CACHE_CONTROL, "no-store");
        res.send(body);
    }

    private static String q(String s) {
        return dev.loomgate.gateway.observe.Json.quote(s);
    }

    // ---------------------------------------------------------------- lifecycle

    /** Leaves the cluster (first step of a graceful shutdown); the node keeps serving meanwhile. */
    public void deregister() {
        registration.ifPresent(NodeRegistration::deregister);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        deregister();
        closed = true;
        kv.ifPresent(KvRoutesWatcher::close);
        watchers.values().forEach(ServiceEndpointsWatcher::close);
        if (snapshotWriter != null) {
            snapshotWriter.interrupt();
        }
        client.close();
    }

    private String advertiseAddress() {
        if (config.advertiseAddress().isPresent()) {
            return config.advertiseAddress().get();
        }
        if (!wildcard(node.host())) {
            return node.host();
        }
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (IOException e) {
            return "127.0.0.1";
        }
    }

    private static boolean wildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
