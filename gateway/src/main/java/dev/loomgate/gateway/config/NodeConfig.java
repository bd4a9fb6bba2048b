package dev.loomgate.gateway.config;

import dev.loomgate.gateway.yaml.ConfigSize;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import dev.loomgate.gateway.trace.TracingSettings;
import java.util.function.Consumer;

import dev.loomgate.gateway.frontdoor.FrontDoorSettings;
import dev.loomgate.gateway.observe.LogSettings;
import dev.loomgate.gateway.ratelimit.RateLimiterOptions;
import dev.loomgate.gateway.redis.RedisSettings;

/**
 * The node's startup configuration ({@code gateway.yaml}). Every field has a default, so
 * {@link #defaults()} is a working config; {@link #builder()} and {@link #toBuilder()} build variations in code.
 * Each default is a named constant in one class (often the component that uses it); {@link ConfigReference}
 * lists them for docs/CONFIG.md.
 *
 * @param node         identity and listen addresses
 * @param limits       request size and concurrency limits
 * @param routesFile   the routes file (resolved against the config file's directory when parsed)
 * @param upstream     settings of the client that talks to upstreams
 * @param drainTimeout how long a draining node waits for in-flight requests
 * @param accessLog    {@code stdout}, {@code off}, or a file path
 * @param redis        where rate-limit buckets live; empty: rate limits use node-local buckets (see RATE-LIMITS.md)
 * @param cluster      cluster facts known from config (the live node count until the registry provides it)
 * @param rateLimiter  circuit breaker around Redis: failure threshold, latency budget, probe interval
 * @param operations   draining and admin API settings
 * @param consul       Consul discovery, KV routes, registration (docs/CONSUL.md); empty: routes file only
 * @param edge         path, forwarded-header and admin request rules (docs/SECURITY.md)
 * @param frontDoor    client connection rules of the proxy listener: timeouts, connection caps (docs/CONFIG.md)
 * @param logging      the application log's format and destination (docs/OBSERVABILITY.md, "Logs")
 */
public record NodeConfig(Node node, NodeLimits limits, Path routesFile, UpstreamClientSettings upstream,
                         Duration drainTimeout, String accessLog, Optional<RedisSettings> redis, Cluster cluster,
                         RateLimiterOptions rateLimiter, Operations operations, Optional<ConsulConfig> consul,
                         EdgeRules edge, FrontDoorConfig frontDoor, LogSettings logging,
                         Optional<TracingSettings> tracing) {
    public static final String ACCESS_LOG_STDOUT = "stdout";
    public static final String ACCESS_LOG_OFF = "off";
    public static final String DEFAULT_ACCESS_LOG = ACCESS_LOG_STDOUT;
    public static final Path DEFAULT_ROUTES_FILE = Path.of("routes.yaml");
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);

    public NodeConfig {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(routesFile, "routesFile");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(accessLog, "accessLog");
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(rateLimiter, "rateLimiter");
        Objects.requireNonNull(operations, "operations");
        Objects.requireNonNull(consul, "consul");
        Objects.requireNonNull(edge, "edge");
        Objects.requireNonNull(frontDoor, "frontDoor");
        Objects.requireNonNull(logging, "logging");
        Objects.requireNonNull(tracing, "tracing");
    }

    /** All defaults; the node id is the host name. */
    public static NodeConfig defaults() {
        return builder().build();
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds a {@link NodeConfig}; the nested settings can be replaced or edited in place ({@code node(n -> n.port(0))}). */
    public static final class Builder {
        private Node node = Node.defaults();
        private NodeLimits limits = NodeLimits.defaults();
        private Path routesFile = DEFAULT_ROUTES_FILE;
        private UpstreamClientSettings upstream = UpstreamClientSettings.defaults();
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private String accessLog = DEFAULT_ACCESS_LOG;
        private Optional<RedisSettings> redis = Optional.empty();
        private Cluster cluster = Cluster.defaults();
        private RateLimiterOptions rateLimiter = RateLimiterOptions.defaults();
        private Operations operations = Operations.defaults();
        private Optional<ConsulConfig> consul = Optional.empty();
        private EdgeRules edge = EdgeRules.defaults();
        private FrontDoorConfig frontDoor = FrontDoorConfig.defaults();
        private LogSettings logging = LogSettings.defaults();
        private Optional<TracingSettings> tracing = Optional.empty();

        private Builder() {
        }

        private Builder(NodeConfig c) {
            node = c.node;
            limits = c.limits;
            routesFile = c.routesFile;
            upstream = c.upstream;
            drainTimeout = c.drainTimeout;
            accessLog = c.accessLog;
            redis = c.redis;
            cluster = c.cluster;
            rateLimiter = c.rateLimiter;
            operations = c.operations;
            consul = c.consul;
            edge = c.edge;
            frontDoor = c.frontDoor;
            logging = c.logging;
            tracing = c.tracing;
        }

        public Builder node(Node v) {
            node = Objects.requireNonNull(v, "node");
            return this;
        }

        public Builder node(Consumer<Node.Builder> edit) {
            Node.Builder b = node.toBuilder();
            edit.accept(b);
            return node(b.build());
        }

        public Builder limits(NodeLimits v) {
            limits = Objects.requireNonNull(v, "limits");
            return this;
        }

        public Builder limits(Consumer<NodeLimits.Builder> edit) {
            NodeLimits.Builder b = limits.toBuilder();
            edit.accept(b);
            return limits(b.build());
        }

        public Builder routesFile(Path v) {
            routesFile = Objects.requireNonNull(v, "routesFile");
            return this;
        }

        public Builder upstream(UpstreamClientSettings v) {
            upstream = Objects.requireNonNull(v, "upstream");
            return this;
        }

        public Builder upstream(Consumer<UpstreamClientSettings.Builder> edit) {
            UpstreamClientSettings.Builder b = upstream.toBuilder();
            edit.accept(b);
            return upstream(b.build());
        }

        public Builder drainTimeout(Duration v) {
            drainTimeout = Objects.requireNonNull(v, "drainTimeout");
            return this;
        }

        public Builder accessLog(String v) {
            accessLog = Objects.requireNonNull(v, "accessLog");
            return this;
        }

        /** Rate-limit buckets in this Redis (without it: node-local buckets). */
        public Builder redis(RedisSettings v) {
            redis = Optional.of(v);
            return this;
        }

        public Builder clearRedis() {
            redis = Optional.empty();
            return this;
        }

        public Builder cluster(Cluster v) {
            cluster = Objects.requireNonNull(v, "cluster");
            return this;
        }

        public Builder rateLimiter(RateLimiterOptions v) {
            rateLimiter = Objects.requireNonNull(v, "rateLimiter");
            return this;
        }

        public Builder rateLimiter(Consumer<RateLimiterOptions.Builder> edit) {
            RateLimiterOptions.Builder b = rateLimiter.toBuilder();
            edit.accept(b);
            return rateLimiter(b.build());
        }

        public Builder operations(Operations v) {
            operations = Objects.requireNonNull(v, "operations");
            return this;
        }

        public Builder operations(Consumer<Operations.Builder> edit) {
            Operations.Builder b = operations.toBuilder();
            edit.accept(b);
            return operations(b.build());
        }

        /** Consul discovery, KV routes and registration (without it: the routes file only). */
        public Builder consul(ConsulConfig v) {
            consul = Optional.of(v);
            return this;
        }

        public Builder clearConsul() {
            consul = Optional.empty();
            return this;
        }

        public Builder edge(EdgeRules v) {
            edge = Objects.requireNonNull(v, "edge");
            return this;
        }

        public Builder edge(Consumer<EdgeRules.Builder> edit) {
            EdgeRules.Builder b = edge.toBuilder();
            edit.accept(b);
            return edge(b.build());
        }

        public Builder frontDoor(FrontDoorConfig v) {
            frontDoor = Objects.requireNonNull(v, "frontDoor");
            return this;
        }

        public Builder logging(LogSettings v) {
            logging = Objects.requireNonNull(v, "logging");
            return this;
        }

        public Builder frontDoor(Consumer<FrontDoorConfig.Builder> edit) {
            FrontDoorConfig.Builder b = frontDoor.toBuilder();
            edit.accept(b);
            return frontDoor(b.build());
        }

        /** OpenTelemetry tracing (without it: no spans, nothing allocated per request for them). */
        public Builder tracing(TracingSettings v) {
            tracing = Optional.of(v);
            return this;
        }

        public Builder clearTracing() {
            tracing = Optional.empty();
            return this;
        }

        public NodeConfig build() {
            return new NodeConfig(node, limits, routesFile, upstream, drainTimeout, accessLog, redis, cluster,
                    rateLimiter, operations, consul, edge, frontDoor, logging, tracing);
        }
    }

    /** Node identity and listen addresses; port 0 picks a free port (tests). */
    public record Node(String id, String host, int port, String adminHost, int adminPort) {
        public static final String DEFAULT_HOST = FrontDoorSettings.DEFAULT_HOST;
        public static final int DEFAULT_PORT = FrontDoorSettings.DEFAULT_PORT;
        public static final String DEFAULT_ADMIN_HOST = "127.0.0.1";
        public static final int DEFAULT_ADMIN_PORT = 9080;
        /** What docs/CONFIG.md says of the default id. */
        static final String DEFAULT_ID_TEXT = "host name";

        public Node {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(adminHost, "adminHost");
        }

        public static Node defaults() {
            return new Node(Hostname.get(), DEFAULT_HOST, DEFAULT_PORT, DEFAULT_ADMIN_HOST, DEFAULT_ADMIN_PORT);
        }

        public Builder toBuilder() {
            return new Builder(this);
        }

        /** Edits a {@link Node}; start from {@link Node#toBuilder()}. */
        public static final class Builder {
            private String id;
            private String host;
            private int port;
            private String adminHost;
            private int adminPort;

            private Builder(Node n) {
                id = n.id;
                host = n.host;
                port = n.port;
                adminHost = n.adminHost;
                adminPort = n.adminPort;
            }

            public Builder id(String v) {
                id = v;
                return this;
            }

            public Builder host(String v) {
                host = v;
                return this;
            }

            public Builder port(int v) {
                port = v;
                return this;
            }

            public Builder adminHost(String v) {
                adminHost = v;
                return this;
            }

            public Builder adminPort(int v) {
                adminPort = v;
                return this;
            }

            public Node build() {
                return new Node(id, host, port, adminHost, adminPort);
            }
        }
    }

    /**
     * What the node knows about its cluster from config.
     *
     * @param expectedNodes gateway nodes sharing the cluster-wide rate limits; the node-local fallback takes
     *                      1/expectedNodes of each limit while Redis is out (until a registry reports live counts)
     */
    public record Cluster(int expectedNodes) {
        public static final int DEFAULT_EXPECTED_NODES = 1;

        public Cluster {
            if (expectedNodes < 1) {
                throw new IllegalArgumentException("cluster.expected-nodes: must be >= 1, got " + expectedNodes);
            }
        }

        public static Cluster defaults() {
            return new Cluster(DEFAULT_EXPECTED_NODES);
        }
    }

    /**
     * Draining and the admin API.
     *
     * @param drainQuietPeriod a draining node stops once no request arrived for this long (and none is
     *                         in flight), or at drain-timeout
     * @param adminToken       bearer token the admin API requires; required when the admin port is
     *                         not bound to a loopback address (env LOOMGATE_ADMIN_TOKEN also works)
     * @param prometheusUrl    {@code monitoring.prometheus-url}: where the cluster page reads rate and p99
     *                         per route for the whole cluster; empty: from this node's own samples
     */
    public record Operations(Duration drainQuietPeriod, Optional<String> adminToken, Optional<java.net.URI> prometheusUrl) {
        public static final Duration DEFAULT_DRAIN_QUIET_PERIOD = Duration.ofSeconds(5);
        /** The admin token when {@code node.admin-token} is not set. */
        public static final String ADMIN_TOKEN_ENV = "LOOMGATE_ADMIN_TOKEN";

        public Operations {
            Objects.requireNonNull(drainQuietPeriod, "drainQuietPeriod");
            Objects.requireNonNull(adminToken, "adminToken");
            Objects.requireNonNull(prometheusUrl, "prometheusUrl");
        }

        public static Operations defaults() {
            return new Operations(DEFAULT_DRAIN_QUIET_PERIOD, Optional.empty(), Optional.empty());
        }

        public Builder toBuilder() {
            return new Builder(this);
        }

        /** Edits {@link Operations}; start from {@link Operations#toBuilder()}. */
        public static final class Builder {
            private Duration drainQuietPeriod;
            private Optional<String> adminToken;
            private Optional<java.net.URI> prometheusUrl;

            private Builder(Operations o) {
                drainQuietPeriod = o.drainQuietPeriod;
                adminToken = o.adminToken;
                prometheusUrl = o.prometheusUrl;
            }

            public Builder drainQuietPeriod(Duration v) {
                drainQuietPeriod = v;
                return this;
            }

            public Builder adminToken(String v) {
                adminToken = Optional.of(v);
                return this;
            }

            /** The Prometheus the cluster page asks for cluster-wide rates, e.g. {@code http://prom:9090}. */
            public Builder prometheusUrl(java.net.URI v) {
                prometheusUrl = Optional.of(v);
                return this;
            }

            public Operations build() {
                return new Operations(drainQuietPeriod, adminToken, prometheusUrl);
            }
        }
    }

    /** The default node id, looked up once. */
    private static final class Hostname {
        private static final String NAME = lookup();

        static String get() {
            return NAME;
        }

        private static String lookup() {
            String env = System.getenv("HOSTNAME");
            if (env != null && !env.isBlank()) {
                return env.trim();
            }
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                return "gateway";
            }
        }
    }
}
