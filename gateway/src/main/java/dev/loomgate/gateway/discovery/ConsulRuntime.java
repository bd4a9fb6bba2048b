package dev.loomgate.gateway.discovery;

import dev.loomgate.gateway.routing.RoutingState;

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
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.config.ConsulConfig;
import dev.loomgate.gateway.config.NodeConfig;
import dev.loomgate.gateway.config.RoutesDocument;
import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.consul.Backoff;
import dev.loomgate.gateway.consul.ConsulClient;
import dev.loomgate.gateway.consul.ConsulException;
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
    private final ConsulAdmin admin = new ConsulAdmin(this);
    private volatile Optional<NodeRegistration> registration = Optional.empty();
    private volatile String startedFrom = "consul";
    private volatile boolean closed;
    private Thread snapshotWriter;

    public ConsulRuntime(ConsulConfig config, NodeConfig.Node node, RoutingState routing) {
        this(config, node, routing, dev.loomgate.gateway.yaml.ConfigSize.DEFAULT_MAX);
    }

    /** @param maxConfigSize raw-byte limit on each KV routes value and the assembled document */
    public ConsulRuntime(ConsulConfig config, NodeConfig.Node node, RoutingState routing, long maxConfigSize) {
        this.config = config;
        this.node = node;
        this.routing = routing;
        this.client = new ConsulClient(config.settings());
        this.layout = new KvRoutesLayout(config.kvPrefix(), maxConfigSize);
        this.frozen.set(config.freeze());
        this.kv = config.routesFromKv()
                ? Optional.of(new KvRoutesWatcher(layout, client, config.watchWait(), backoff, routing, node.id(),
                frozen::get))
                : Optional.empty();
        kv.ifPresent(k -> k.beforeApply(this::prefetch));
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

    /**
     * Reads the endpoints of services a new document uses for the first time, so its upstreams
     * have endpoints in the very snapshot that brings them (no 503 window after a push).
     */
    private void prefetch(RoutesDocument doc) {
        for (UpstreamDefinition u : doc.upstreams()) {
            if (u.consul().isEmpty() || running.contains(u.consul().get())) {
                continue;
            }
            ConsulService svc = u.consul().get();
            try {
                var r = client.healthService(svc.service(), svc.tags(), svc.passingOnly(), 0, config.watchWait());
                watcher(svc).seed(ServiceEndpointsWatcher.endpoints(r.value(), svc.passingOnly()), false);
            } catch (ConsulException e) {
                LOG.fine(() -> "prefetch of " + svc + " failed: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
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

    // ---------------------------------------------------------------- admin, metrics

    public String statusJson() {
        return admin.statusJson();
    }

    public String nodesJson() {
        return admin.nodesJson();
    }

    public void writeMetrics(PrometheusText p) {
        admin.writeMetrics(p);
    }

    /**
     * GET /admin/consul, GET /admin/nodes, POST /admin/consul/freeze and /unfreeze; with an admin
     * token they need {@code Authorization: Bearer <token>} like the rest of the admin API.
     */
    public void registerAdmin(io.helidon.webserver.http.HttpRouting.Builder r, Optional<String> adminToken) {
        admin.register(r, adminToken);
    }

    Optional<KvRoutesWatcher> kv() {
        return kv;
    }

    java.util.Collection<ServiceEndpointsWatcher> watchers() {
        return watchers.values();
    }

    String startedFrom() {
        return startedFrom;
    }

    NodeConfig.Node node() {
        return node;
    }

    RoutingState routing() {
        return routing;
    }

    ConsulConfig config() {
        return config;
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
