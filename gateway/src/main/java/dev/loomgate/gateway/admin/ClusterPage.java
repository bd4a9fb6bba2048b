package dev.loomgate.gateway.admin;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import dev.loomgate.gateway.consul.ServiceInstance;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.observe.TrafficHistory;
import dev.loomgate.gateway.policy.ratelimit.RateLimitService;
import dev.loomgate.gateway.proxy.ProblemWriter;
import dev.loomgate.gateway.ratelimit.RateLimitMetrics;
import dev.loomgate.gateway.routing.RoutingSnapshot;
import dev.loomgate.gateway.routing.RoutingState;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

/**
 * The JSON behind the cluster page ({@code /ui}, {@link AdminUi}): {@code GET /admin/node} (this
 * node), {@code GET /admin/cluster} (every node, {@link ClusterNodes}) and {@code GET /admin/stats}
 * (rate and p99 per route from the {@link TrafficHistory} ring, recent config changes and
 * rejections, rate-limit/Redis state). Guarded by the admin token like the rest of {@code /admin}.
 */
public final class ClusterPage {
    /** How many applied config versions {@code /admin/stats} lists. */
    static final int KEPT_CHANGES = 20;
    private static final double PROMETHEUS_STEP_SECONDS = 10;
    private static final JsonProvider JSON = JsonProvider.provider();
    private static final String VERSION = Optional.ofNullable(ClusterPage.class.getPackage().getImplementationVersion())
            .orElse("dev");

    /** A config version this node applied, and when. */
    record Change(String version, Instant at) {
    }

    private final String nodeId;
    private final Supplier<String> phase;
    private final Instant startedAt;
    private final RoutingState routing;
    private final TrafficHistory history;
    private final Duration window;
    private final RateLimitService rateLimits;
    private final Optional<byte[]> token;
    private final ClusterNodes nodes;
    private final Optional<PrometheusRates> prometheus;
    private final AtomicReference<List<Change>> changes = new AtomicReference<>(List.of());

    private ClusterPage(Builder b) {
        this.nodeId = Objects.requireNonNull(b.nodeId, "nodeId");
        this.phase = Objects.requireNonNull(b.phase, "phase");
        this.startedAt = Instant.now();
        this.routing = Objects.requireNonNull(b.routing, "routing");
        this.history = Objects.requireNonNull(b.history, "history");
        this.window = b.window;
        this.rateLimits = Objects.requireNonNull(b.rateLimits, "rateLimits");
        this.token = b.token.map(t -> t.getBytes(StandardCharsets.UTF_8));
        this.nodes = new ClusterNodes(nodeId, this::node, b.consulNodes, b.token);
        this.prometheus = b.prometheus.map(PrometheusRates::new);
        routing.addListener(this::applied);
        applied(routing.current());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Must be registered before {@link AdminApi}, whose {@code /admin/*} catches everything else. */
    public void register(HttpRouting.Builder r) {
        r.get("/admin/node", guarded((req, res) -> AdminApi.sendJson(res, node())));
        r.get("/admin/cluster", guarded((req, res) -> AdminApi.sendJson(res, nodes.json())));
        r.get("/admin/stats", guarded((req, res) -> AdminApi.sendJson(res, stats())));
    }

    private Handler guarded(Handler h) {
        return (req, res) -> {
            if (AdminApi.authorized(req, token)) {
                h.handle(req, res);
            } else {
                res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"loomgate-admin\"");
                ProblemWriter.send(res, new Problem(Problem.Type.UNAUTHORIZED,
                        "the admin API needs Authorization: Bearer <admin token>"), req.path().path(), "");
            }
        };
    }

    private void applied(RoutingSnapshot s) {
        changes.updateAndGet(list -> {
            if (!list.isEmpty() && list.getLast().version().equals(s.version())) {
                return list; // endpoints discovered, same config version
            }
            List<Change> next = new ArrayList<>(list);
            next.add(new Change(s.version(), s.appliedAt()));
            next.sort(java.util.Comparator.comparing(Change::at)); // listeners may run out of order
            while (next.size() > KEPT_CHANGES) {
                next.removeFirst();
            }
            return List.copyOf(next);
        });
    }

    JsonObject node() {
        String p = phase.get();
        RoutingSnapshot s = routing.current();
        return JSON.createObjectBuilder()
                .add("id", nodeId)
                .add("phase", p)
                .add("ready", p.equals("ready"))
                .add("draining", p.equals("draining"))
                .add("version", VERSION)
                .add("configVersion", s.version())
                .add("configAppliedAt", s.appliedAt().toString())
                .add("startedAt", startedAt.toString())
                .add("uptimeSeconds", Duration.between(startedAt, Instant.now()).toSeconds())
                .build();
    }

    JsonObject stats() {
        String source = "node";
        Optional<String> prometheusError = Optional.empty();
        List<TrafficHistory.RouteRate> rates = List.of();
        if (prometheus.isPresent()) {
            try {
                rates = prometheus.get().rates(window);
                source = "prometheus";
            } catch (IOException e) {
                prometheusError = Optional.of(prometheus.get().base() + ": " + e.getMessage());
            }
        }
        if (source.equals("node")) {
            rates = history.rates(window);
        }
        var routes = JSON.createArrayBuilder();
        for (TrafficHistory.RouteRate r : rates) {
            var series = JSON.createArrayBuilder();
            r.series().forEach(v -> series.add(round(v)));
            routes.add(JSON.createObjectBuilder()
                    .add("route", r.route())
                    .add("requestsPerSecond", round(r.requestsPerSecond()))
                    .add("serverErrorsPerSecond", round(r.serverErrorsPerSecond()))
                    .add("p99Ms", r.p99().<JsonValue>map(d -> JSON.createValue(round(d.toNanos() / 1e6)))
                            .orElse(JsonValue.NULL))
                    .add("series", series));
        }
        RoutingState.View view = routing.view();
        applied(view.snapshot()); // the listener may not have run yet for the version this view shows
        var changeList = JSON.createArrayBuilder();
        changes.get().reversed().forEach(c -> changeList.add(JSON.createObjectBuilder()
                .add("version", c.version()).add("at", c.at().toString())));
        var rejections = JSON.createArrayBuilder();
        view.recentRejections().reversed().forEach(r -> rejections.add(JSON.createObjectBuilder()
                .add("source", r.source()).add("reason", r.reason()).add("at", r.at().toString())));
        JsonObjectBuilder out = JSON.createObjectBuilder();
        prometheusError.ifPresent(e -> out.add("prometheusError", e));
        return out
                .add("node", nodeId)
                .add("source", source)
                .add("windowSeconds", window.toSeconds())
                .add("sampleSeconds", source.equals("node") ? history.interval().toMillis() / 1000.0
                        : PROMETHEUS_STEP_SECONDS)
                .add("routes", routes)
                .add("config", JSON.createObjectBuilder()
                        .add("version", view.snapshot().version())
                        .add("appliedAt", view.snapshot().appliedAt().toString())
                        .add("changes", changeList)
                        .add("rejections", rejections))
                .add("rateLimits", rateLimits())
                .build();
    }

    private JsonObjectBuilder rateLimits() {
        RateLimitMetrics m = rateLimits.engineMetrics();
        Map<String, Long> allowed = m.allowedByPolicy();
        Map<String, Long> limited = m.limitedByPolicy();
        var policies = JSON.createArrayBuilder();
        TreeSet<String> ids = new TreeSet<>(allowed.keySet());
        ids.addAll(limited.keySet());
        for (String id : ids) {
            policies.add(JSON.createObjectBuilder().add("policy", id)
                    .add("allowed", allowed.getOrDefault(id, 0L)).add("limited", limited.getOrDefault(id, 0L)));
        }
        return JSON.createObjectBuilder()
                .add("backend", rateLimits.usesRedis() ? "redis" : "local")
                .add("degraded", rateLimits.degraded())
                .add("fallbackDecisions", m.fallbackDecisions())
                .add("redisErrors", m.redisErrors())
                .add("breakerOpenings", m.breakerOpenings())
                .add("policies", policies);
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** Builds a {@link ClusterPage}; node id, phase, routing, history and rate limits are required. */
    public static final class Builder {
        private String nodeId;
        private Supplier<String> phase;
        private RoutingState routing;
        private TrafficHistory history;
        private Duration window = Duration.ofMinutes(5);
        private RateLimitService rateLimits;
        private Optional<String> token = Optional.empty();
        private Supplier<Optional<List<ServiceInstance>>> consulNodes = Optional::empty;
        private Optional<URI> prometheus = Optional.empty();

        private Builder() {
        }

        public Builder nodeId(String nodeId) {
            this.nodeId = nodeId;
            return this;
        }

        /** Lower-case phase name: starting, ready, draining, stopped. */
        public Builder phase(Supplier<String> phase) {
            this.phase = phase;
            return this;
        }

        public Builder routing(RoutingState routing) {
            this.routing = routing;
            return this;
        }

        public Builder history(TrafficHistory history) {
            this.history = history;
            return this;
        }

        /** How far back rates and p99 reach (default 5 minutes). */
        public Builder window(Duration window) {
            this.window = window;
            return this;
        }

        public Builder rateLimits(RateLimitService rateLimits) {
            this.rateLimits = rateLimits;
            return this;
        }

        /** The admin token; without one the endpoints are open (loopback only, {@link AdminAuth}). */
        public Builder token(String token) {
            this.token = Optional.of(token);
            return this;
        }

        /** The nodes registered in Consul; empty (the default) means no Consul: this node only. */
        public Builder consulNodes(Supplier<Optional<List<ServiceInstance>>> consulNodes) {
            this.consulNodes = consulNodes;
            return this;
        }

        /** A Prometheus scraping every node: rates and p99 for the whole cluster (falls back to the node's own). */
        public Builder prometheus(URI baseUrl) {
            this.prometheus = Optional.of(baseUrl);
            return this;
        }

        public ClusterPage build() {
            return new ClusterPage(this);
        }
    }
}
