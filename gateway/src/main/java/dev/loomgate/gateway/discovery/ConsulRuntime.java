package dev.loomgate.gateway.discovery;

import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.logging.Logger;

import dev.loomgate.gateway.cluster.NodeRegistration;
import dev.loomgate.gateway.trace.Tracing;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.config.ConsulConfig;
import dev.loomgate.gateway.config.NodeConfig;
import dev.loomgate.gateway.consul.Backoff;
import dev.loomgate.gateway.consul.ConsulClient;
import dev.loomgate.gateway.observe.PrometheusText;
import dev.loomgate.gateway.routing.RoutingState;

/**
 * Wires a node's Consul parts, each with one output: the routes source ({@link KvRoutesWatcher},
 * into {@link RoutingState#apply}), the endpoints source ({@link EndpointsSource}, into
 * {@link RoutingState#discovered}), the {@link SnapshotWriter} (the last-known-good file) and the
 * {@link NodeRegistration} (this node in Consul's catalog). It also holds the operator's freeze
 * switch, which both sources obey. Built by {@code GatewayNode} when the node config has a
 * {@code consul:} block.
 */
public final class ConsulRuntime implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConsulRuntime.class.getName());

    private final ConsulConfig config;
    private final NodeConfig.Node node;
    private final RoutingState routing;
    private final ConsulClient client;
    private final Backoff backoff = Backoff.defaults();
    private final AtomicBoolean frozen = new AtomicBoolean();
    private final Optional<KvRoutesWatcher> kv;
    private final EndpointsSource endpoints;
    private final SnapshotWriter snapshotWriter;
    private final ConsulAdmin admin = new ConsulAdmin(this);
    private volatile Optional<NodeRegistration> registration = Optional.empty();
    private volatile String startedFrom = "consul";
    private volatile boolean closed;

    public ConsulRuntime(ConsulConfig config, NodeConfig.Node node, RoutingState routing) {
        this(config, node, routing, dev.loomgate.gateway.yaml.ConfigSize.DEFAULT_MAX);
    }

    /** @param maxConfigSize raw-byte limit on each KV routes value and the assembled document */
    public ConsulRuntime(ConsulConfig config, NodeConfig.Node node, RoutingState routing, long maxConfigSize) {
        this(config, node, routing, maxConfigSize, Tracing.off());
    }

    /** @param tracing the Consul client's reads become (background) spans */
    public ConsulRuntime(ConsulConfig config, NodeConfig.Node node, RoutingState routing, long maxConfigSize,
                         Tracing tracing) {
        this.config = config;
        this.node = node;
        this.routing = routing;
        this.client = new ConsulClient(config.settings(), tracing);
        this.frozen.set(config.freeze());
        this.endpoints = new EndpointsSource(client, config.watchWait(), backoff, config.panicThreshold(), routing,
                frozen::get);
        this.kv = config.routesFromKv()
                ? Optional.of(new KvRoutesWatcher(new KvRoutesLayout(config.kvPrefix(), maxConfigSize), client,
                config.watchWait(), backoff, routing, node.id(), frozen::get))
                : Optional.empty();
        kv.ifPresent(k -> k.beforeApply(endpoints::prefetch));
        this.snapshotWriter = new SnapshotWriter(config.snapshotFile(), routing, kv.isPresent(),
                () -> kv.flatMap(KvRoutesWatcher::appliedText));
        routing.addListener(s -> {
            endpoints.sync();
            snapshotWriter.due();
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
        LastKnownGood snapshot = SnapshotWriter.read(config.snapshotFile()).orElseGet(LastKnownGood::none);
        boolean consulUp = true;
        if (kv.isPresent()) {
            KvRoutesWatcher.Start start = kv.get().bootstrap(snapshot, config.snapshotFile());
            consulUp = start.consulUp();
            if (start.fromSnapshot()) {
                startedFrom = "snapshot";
            }
        }
        if (endpoints.bootstrap(snapshot, consulUp)) {
            startedFrom = "snapshot";
        }
    }

    /** Starts the watches, the snapshot writer and (when configured) the registration. */
    public void start(int port, int adminPort, Consumer<IntSupplier> liveNodes) {
        kv.ifPresent(KvRoutesWatcher::start);
        snapshotWriter.start();
        endpoints.start();
        if (config.register()) {
            NodeRegistration r = NodeRegistration.start(client, config, node, port, adminPort, backoff);
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
            endpoints.offerAll();
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

    Collection<ServiceEndpointsWatcher> watchers() {
        return endpoints.watchers();
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
        endpoints.close();
        snapshotWriter.close();
        client.close();
    }
}
