package dev.loomgate.gateway;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.logging.Logger;

import dev.loomgate.gateway.admin.AdminAuth;
import dev.loomgate.gateway.async.AsyncService;
import dev.loomgate.gateway.cache.ResponseCache;
import dev.loomgate.gateway.call.HealthCheckers;
import dev.loomgate.gateway.call.ResilienceGauges;
import dev.loomgate.gateway.call.UpstreamCalls;
import dev.loomgate.gateway.client.ClientSettings;
import dev.loomgate.gateway.client.UpstreamClient;
import dev.loomgate.gateway.config.NodeConfig;
import dev.loomgate.gateway.config.RoutesFileWatcher;
import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.discovery.ApiKeysWatcher;
import dev.loomgate.gateway.discovery.ConsulRuntime;
import dev.loomgate.gateway.frontdoor.FrontDoorHandler;
import dev.loomgate.gateway.frontdoor.FrontDoorRequest;
import dev.loomgate.gateway.frontdoor.FrontDoorResponse;
import dev.loomgate.gateway.frontdoor.FrontDoorServer;
import dev.loomgate.gateway.frontdoor.FrontDoorSettings;
import dev.loomgate.gateway.frontdoor.Rejection;
import dev.loomgate.gateway.observe.AccessLog;
import dev.loomgate.gateway.observe.GatewayMetrics;
import dev.loomgate.gateway.observe.JvmMetrics;
import dev.loomgate.gateway.observe.TlsMetrics;
import dev.loomgate.gateway.observe.TrafficHistory;
import dev.loomgate.gateway.policy.introspection.IntrospectionCache;
import dev.loomgate.gateway.policy.ratelimit.RateLimitService;
import dev.loomgate.gateway.policy.session.SessionService;
import dev.loomgate.gateway.proxy.ProxyHandler;
import dev.loomgate.gateway.resilience.ResilienceMetrics;
import dev.loomgate.gateway.resilience.ResilienceRegistry;
import dev.loomgate.gateway.routing.RoutingSnapshot;
import dev.loomgate.gateway.routing.RoutingState;
import dev.loomgate.gateway.saga.SagaService;
import dev.loomgate.gateway.trace.Tracing;
import dev.loomgate.gateway.upstream.Upstream;
import dev.loomgate.gateway.yaml.ConfigException;
import io.helidon.webserver.WebServer;

/**
 * One running gateway node: the proxy listener, the admin listener, the routes watcher and the
 * upstream client, with an explicit lifecycle (starting, ready, draining, stopped).
 */
public final class GatewayNode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GatewayNode.class.getName());

    /** Where the node is in its life; readiness is true only in READY. */
    public enum Phase { STARTING, READY, DRAINING, STOPPED }

    private static final Duration TRAFFIC_SAMPLE = Duration.ofSeconds(2);
    private static final Duration TRAFFIC_KEPT = Duration.ofMinutes(5);

    private final NodeConfig config;
    private final RoutingState routing;
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.STARTING);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final UpstreamClient client;
    private final AccessLog accessLog;
    private final Optional<RoutesFileWatcher> watcher;
    /** Consul discovery, KV routes, registration; empty without a {@code consul:} block. */
    private final Optional<ConsulRuntime> consul;
    /** The proxy listener: our strict HTTP/1 server (docs/ARCHITECTURE.md, "Front door"). */
    private final FrontDoorServer frontDoor;
    /** TLS of the proxy listener and of the admin port ({@code front-door.tls}, {@code admin.tls}). */
    private final NodeTls tls;
    /** The admin listener (health, metrics, admin API) stays on Helidon. */
    private final WebServer server;
    private final ResilienceMetrics resilienceMetrics = new ResilienceMetrics();
    private final ResilienceRegistry resilience = new ResilienceRegistry(resilienceMetrics);
    private final HealthCheckers healthCheckers;
    private final CountDownLatch stopped = new CountDownLatch(1);
    // written only while draining: when the last request arrived (for the quiet period)
    private volatile long lastArrivalNanos;
    /** Rate limits, key sets, introspection, sessions, cache, async jobs, sagas: opened and closed together. */
    private final PolicyServices services;
    private final Optional<ApiKeysWatcher> apiKeysWatcher;
    /** Per-route rate and p99 over the last minutes for the cluster page (sampled, off the request path). */
    private final TrafficHistory trafficHistory = new TrafficHistory(metrics::routeStats, TRAFFIC_SAMPLE,
            TRAFFIC_KEPT, System::nanoTime);
    /** Live gateway nodes sharing the rate limits; config until a cluster registry sets a live count. */
    private final AtomicReference<IntSupplier> liveNodes = new AtomicReference<>();
    /** OpenTelemetry spans; {@link Tracing#off()} without a {@code tracing:} block. */
    private final Tracing tracing;
    private final UpstreamCalls proxyCalls;

    private GatewayNode(NodeConfig config) throws ConfigException, IOException {
        this.config = config;
        Optional<String> adminToken = AdminAuth.token(config);
        liveNodes.set(() -> config.cluster().expectedNodes());
        IntSupplier live = () -> liveNodes.get().getAsInt();
        this.tracing = config.tracing().map(t -> Tracing.create(t, config.node().id())).orElse(Tracing.off());
        metrics.addSource(tracing::writeMetrics);
        this.services = new PolicyServices(config, live, tracing, this::upstreamNamed);
        services.addMetricSources(metrics);
        this.routing = new RoutingState(services.nodeServices());
        RateLimitService rateLimits = services.rateLimits();
        routing.addListener(s -> rateLimits.retainRoutes(s.routeIds()));
        this.consul = config.consul().map(c -> new ConsulRuntime(c, config.node(), routing,
                config.limits().maxConfigSize(), tracing));
        boolean kvRoutes = consul.map(ConsulRuntime::routesFromKv).orElse(false);
        if (!kvRoutes) {
            routing.apply(RoutesParser.parse(config.routesFile(), config.limits().maxConfigSize()));
        }
        // keys from `loomgate keys create`: loaded before the first request if Consul answers at once
        this.apiKeysWatcher = consul.map(c -> ApiKeysWatcher.start(c.client(), config.consul().get().kvPrefix(),
                config.consul().get().watchWait(), services.apiKeys()));
        if (consul.isPresent()) {
            consul.get().bootstrap();
            metrics.addSource(consul.get()::writeMetrics);
        }
        var up = config.upstream();
        this.client = new UpstreamClient(new ClientSettings(up.connectTimeout(), up.responseTimeout(),
                up.maxConnectionsPerEndpoint(), up.idleTimeout()));
        this.accessLog = AccessLog.open(config.accessLog());
        ProxyHandler proxy = ProxyHandler.builder().nodeId(config.node().id()).routing(routing).client(client)
                .metrics(metrics).accessLog(accessLog).resilience(resilience).edge(config.edge()).tracing(tracing)
                .async(services.async()).build();
        this.proxyCalls = proxy.calls();
        services.async().ifPresent(a -> metrics.addSource(a::writeMetrics));
        this.healthCheckers = new HealthCheckers(() -> routing.current().upstreams(), resilienceMetrics);
        metrics.addSource(routing::writeMetrics);
        metrics.addSource(new JvmMetrics());
        routing.addListener(s -> metrics.retain(this::liveNames)); // deleted routes/upstreams leave /metrics
        routing.addListener(s -> resilienceMetrics.retain(s.routeIds(), s.upstreams().keySet()));
        metrics.retain(this::liveNames);
        metrics.addSource(p -> ResilienceGauges.write(p, resilienceMetrics, routing.current().upstreams(), resilience));
        metrics.addSource(p -> {
            p.help("loomgate_draining", "gauge", "1 while the node drains (readiness fails, requests are still served).");
            p.sample("loomgate_draining", "", phase.get() == Phase.DRAINING ? 1 : 0);
        });
        metrics.addSource(p -> {
            p.help("loomgate_in_flight_requests", "gauge", "Requests being proxied right now.");
            p.sample("loomgate_in_flight_requests", "", inFlight.get());
            p.help("loomgate_upstream_connections_opened_total", "counter",
                    "TCP connections opened to upstreams (steady under steady load: no churn).");
            p.sample("loomgate_upstream_connections_opened_total", "", client.connectionsOpened());
            p.help("loomgate_access_log_dropped_total", "counter", "Access log lines dropped because the writer fell behind.");
            p.sample("loomgate_access_log_dropped_total", "", accessLog.dropped());
            p.help("loomgate_ready", "gauge", "1 when the node accepts traffic (not starting or draining).");
            p.sample("loomgate_ready", "", phase.get() == Phase.READY ? 1 : 0);
        });
        FrontDoorSettings frontDoorSettings = ProxyListener.settings(config);
        this.tls = NodeTls.load(config);
        FrontDoorHandler frontDoorHandler = new FrontDoorHandler() {
            @Override
            public void handle(FrontDoorRequest req, FrontDoorResponse res) {
                inFlight.incrementAndGet();
                if (phase.get() == Phase.DRAINING) {
                    lastArrivalNanos = System.nanoTime();
                }
                try {
                    proxy.handle(req, res);
                } finally {
                    inFlight.decrementAndGet();
                }
            }

            @Override
            public void reject(Rejection rejection, FrontDoorResponse res) {
                proxy.reject(rejection, res);
            }
        };
        this.frontDoor = ProxyListener.create(frontDoorSettings, tls, frontDoorHandler);
        metrics.addSource(p -> TlsMetrics.write(p, tls.listeners()));
        ProxyListener.addMetricSource(metrics, frontDoor);
        this.server = AdminListener.create(new AdminListener.Parts(config, adminToken, tls, metrics, routing,
                services, resilience, trafficHistory, consul, phase::get, this::startDrain));
        this.watcher = kvRoutes ? Optional.empty() : Optional.of(
                new RoutesFileWatcher(config.routesFile(), Duration.ofMillis(250), config.limits().maxConfigSize(),
                        routing::apply, routing::reject));
    }

    private Optional<Upstream> upstreamNamed(String name) {
        return routing.current().upstream(name);
    }

    private GatewayMetrics.LiveNames liveNames() {
        RoutingSnapshot now = routing.current();
        return new GatewayMetrics.LiveNames(now.routeIds(), now.upstreams().keySet());
    }

    /** Loads the routes (an invalid file stops the start), starts listening and watching. */
    public static GatewayNode start(NodeConfig config) throws ConfigException, IOException {
        GatewayNode node = new GatewayNode(config);
        try {
            node.frontDoor.start();
        } catch (IOException e) {
            node.close();
            throw new IOException("cannot listen on " + config.node().host() + ":" + config.node().port()
                    + " (proxy): address in use or not available: " + e.getMessage(), e);
        }
        node.server.start();
        if (!node.server.isRunning() || node.port() <= 0 || node.adminPort() <= 0) {
            // Helidon logs a failed bind and carries on; a node that cannot listen must not claim to be ready
            node.close();
            throw new IOException("cannot listen on " + config.node().host() + ":" + config.node().port()
                    + " (proxy) and " + config.node().adminHost() + ":" + config.node().adminPort()
                    + " (admin): address in use or not available; see the log above");
        }
        node.watcher.ifPresent(RoutesFileWatcher::start);
        node.tls.startWatching();
        node.healthCheckers.start();
        node.services.async().ifPresent(a -> a.start(node.proxyCalls, node.routing, node.accessLog, node.tracing));
        node.trafficHistory.start();
        node.phase.set(Phase.READY);
        node.consul.ifPresent(c -> c.start(node.port(), node.adminPort(), node::liveNodeCount));
        LOG.info(() -> "node " + config.node().id() + " ready: proxy on " + config.node().host() + ":" + node.port()
                + ", admin on " + config.node().adminHost() + ":" + node.adminPort()
                + ", routes from " + config.routesFile() + " (version " + node.routing.current().version() + ")");
        return node;
    }

    public int port() {
        return frontDoor.port();
    }

    public int adminPort() {
        return server.port();
    }

    public NodeConfig config() {
        return config;
    }

    public RoutingState routing() {
        return routing;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    /** The async routes' job service; present when the node has {@code redis:}. */
    public Optional<AsyncService> async() {
        return services.async();
    }

    /** The session store and counters (docs/SESSIONS.md). */
    public SessionService sessions() {
        return services.sessions();
    }

    public RateLimitService rateLimits() {
        return services.rateLimits();
    }

    /** Seam for the cluster registry: how many nodes share the rate limits right now (default: config). */
    public void liveNodeCount(IntSupplier count) {
        liveNodes.set(count);
    }

    public Phase phase() {
        return phase.get();
    }

    public boolean ready() {
        return phase.get() == Phase.READY;
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Counters of retries, ejections, breakers and bulkheads. */
    public ResilienceMetrics resilienceMetrics() {
        return resilienceMetrics;
    }

    /** Live breakers, bulkheads and retry budgets, by upstream and route. */
    public ResilienceRegistry resilience() {
        return resilience;
    }

    /** Drains with the configured drain-timeout and drain-quiet-period (SIGTERM does this). */
    public void drainAndStop() {
        drainAndStop(config.drainTimeout(), config.operations().drainQuietPeriod());
    }

    /**
     * Starts {@link #drainAndStop(Duration, Duration)} on its own thread (the admin API).
     *
     * @return false when the node is already draining or stopped
     */
    public boolean startDrain(Duration timeout, Duration quietPeriod) {
        // the phase changes before the admin API answers, so readiness fails from the moment the drain is accepted
        if (!beginDrain()) {
            return false;
        }
        Thread.ofPlatform().name("loomgate-drain").start(() -> finishDrain(timeout, quietPeriod));
        return true;
    }

    /** Moves to DRAINING (readiness fails); false when the node is already draining or stopped. */
    private boolean beginDrain() {
        Phase now = phase.get();
        return now != Phase.DRAINING && now != Phase.STOPPED && phase.compareAndSet(now, Phase.DRAINING);
    }

    /** Blocks until the node has stopped (after a drain from a signal or the admin API). */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /**
     * Graceful stop, ours rather than Helidon's 500 ms grace: readiness fails at once (load
     * balancers move traffic away) while the node keeps serving in-flight AND newly arriving
     * requests, because a load balancer needs a few health-check rounds to notice. It stops once
     * nothing is in flight and no request arrived for {@code quietPeriod}, or at {@code timeout}.
     */
    public void drainAndStop(Duration timeout, Duration quietPeriod) {
        if (beginDrain()) {
            finishDrain(timeout, quietPeriod);
        }
    }

    private void finishDrain(Duration timeout, Duration quietPeriod) {
        consul.ifPresent(ConsulRuntime::deregister);
        long start = System.nanoTime();
        lastArrivalNanos = start;
        long deadline = start + timeout.toNanos();
        LOG.info(() -> "draining: " + inFlight.get() + " requests in flight; stopping after " + quietPeriod.toMillis()
                + " ms without requests, at most " + timeout.toMillis() + " ms");
        while (System.nanoTime() < deadline
                && (inFlight.get() > 0 || System.nanoTime() - lastArrivalNanos < quietPeriod.toNanos())) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (inFlight.get() > 0) {
            LOG.warning(() -> "drain timeout: stopping with " + inFlight.get() + " requests still in flight");
        }
        close();
    }

    /** The node's response cache (tests and benchmarks read its metrics). */
    public ResponseCache responseCache() {
        return services.responseCache();
    }

    /** The saga engine, when the node has Redis. */
    public Optional<SagaService> sagas() {
        return services.sagas();
    }

    /** The node's introspection answers (the admin API evicts revoked tokens from it). */
    public IntrospectionCache introspectionCache() {
        return services.introspectionCache();
    }

    @Override
    public void close() {
        if (phase.getAndSet(Phase.STOPPED) == Phase.STOPPED) {
            return;
        }
        try {
            apiKeysWatcher.ifPresent(ApiKeysWatcher::close);
            consul.ifPresent(ConsulRuntime::close);
            watcher.ifPresent(RoutesFileWatcher::close);
            healthCheckers.close();
            trafficHistory.close();
            frontDoor.stop();
            services.closeWorkers();
            server.stop();
            tls.close();
            client.close();
            services.close();
            tracing.close();
            accessLog.close();
            LOG.info(() -> "node " + config.node().id() + " stopped");
        } finally {
            // whatever failed while closing, the process waiting in awaitStopped() must get to exit
            stopped.countDown();
        }
    }
}
