package dev.loomgate.gateway.config;

import dev.loomgate.gateway.yaml.ConfigSize;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import dev.loomgate.gateway.ratelimit.RateLimiterOptions;
import dev.loomgate.gateway.redis.RedisSettings;

/**
 * The node's startup configuration ({@code gateway.yaml}). Every field has a default, so
 * {@link #defaults()} is a working config; {@code with...} methods derive variations in code.
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
 */
public record NodeConfig(Node node, Limits limits, Path routesFile, UpstreamClientSettings upstream,
                         Duration drainTimeout, String accessLog, Optional<RedisSettings> redis, Cluster cluster,
                         RateLimiterOptions rateLimiter, Operations operations, Optional<ConsulConfig> consul,
                         EdgeRules edge, FrontDoor frontDoor) {
    public static final String ACCESS_LOG_STDOUT = "stdout";
    public static final String ACCESS_LOG_OFF = "off";

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
    }

    /** With default {@link EdgeRules} and {@link FrontDoor} settings. */
    public NodeConfig(Node node, Limits limits, Path routesFile, UpstreamClientSettings upstream,
                      Duration drainTimeout, String accessLog, Optional<RedisSettings> redis, Cluster cluster,
                      RateLimiterOptions rateLimiter, Operations operations, Optional<ConsulConfig> consul) {
        this(node, limits, routesFile, upstream, drainTimeout, accessLog, redis, cluster, rateLimiter, operations,
                consul, EdgeRules.defaults(), FrontDoor.defaults());
    }

    public NodeConfig withEdge(EdgeRules edge) {
        return new NodeConfig(node, limits, routesFile, upstream, drainTimeout, accessLog, redis, cluster, rateLimiter,
                operations, consul, edge, frontDoor);
    }

    public NodeConfig withFrontDoor(FrontDoor frontDoor) {
        return new NodeConfig(node, limits, routesFile, upstream, drainTimeout, accessLog, redis, cluster, rateLimiter,
                operations, consul, edge, frontDoor);
    }

    /**
     * Rules for client connections on the proxy listener (request size limits are in {@link Limits}).
     *
     * @param headerReadTimeout       the whole request head must arrive within this (408 and close)
     * @param bodyIdleTimeout         longest pause between request body bytes (408, a client error)
     * @param keepAliveTimeout        an idle persistent connection is closed after this
     * @param writeTimeout            a response write blocked longer than this closes the connection
     * @param maxConnections          open client connections (excess: 503 and close)
     * @param maxConnectionsPerClient open connections from one client IP (excess: 429 and close)
     * @param maxHeaderCount          header fields in a request (431)
     * @param allowTrace              forward TRACE (default: 405)
     */
    public record FrontDoor(Duration headerReadTimeout, Duration bodyIdleTimeout, Duration keepAliveTimeout,
                            Duration writeTimeout, int maxConnections, int maxConnectionsPerClient,
                            int maxHeaderCount, boolean allowTrace) {
        public FrontDoor {
            Objects.requireNonNull(headerReadTimeout, "headerReadTimeout");
            Objects.requireNonNull(bodyIdleTimeout, "bodyIdleTimeout");
            Objects.requireNonNull(keepAliveTimeout, "keepAliveTimeout");
            Objects.requireNonNull(writeTimeout, "writeTimeout");
        }

        /** nginx/HAProxy-like: 10 s head (HAProxy timeout http-request), 60 s body idle and write, 75 s keep-alive. */
        public static FrontDoor defaults() {
            return new FrontDoor(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(75),
                    Duration.ofSeconds(60), 20_000, 256, 100, false);
        }

        public FrontDoor withHeaderReadTimeout(Duration v) {
            return new FrontDoor(v, bodyIdleTimeout, keepAliveTimeout, writeTimeout, maxConnections,
                    maxConnectionsPerClient, maxHeaderCount, allowTrace);
        }

        public FrontDoor withBodyIdleTimeout(Duration v) {
            return new FrontDoor(headerReadTimeout, v, keepAliveTimeout, writeTimeout, maxConnections,
                    maxConnectionsPerClient, maxHeaderCount, allowTrace);
        }

        public FrontDoor withKeepAliveTimeout(Duration v) {
            return new FrontDoor(headerReadTimeout, bodyIdleTimeout, v, writeTimeout, maxConnections,
                    maxConnectionsPerClient, maxHeaderCount, allowTrace);
        }

        public FrontDoor withWriteTimeout(Duration v) {
            return new FrontDoor(headerReadTimeout, bodyIdleTimeout, keepAliveTimeout, v, maxConnections,
                    maxConnectionsPerClient, maxHeaderCount, allowTrace);
        }

        public FrontDoor withMaxConnections(int v) {
            return new FrontDoor(headerReadTimeout, bodyIdleTimeout, keepAliveTimeout, writeTimeout, v,
                    maxConnectionsPerClient, maxHeaderCount, allowTrace);
        }

        public FrontDoor withMaxConnectionsPerClient(int v) {
            return new FrontDoor(headerReadTimeout, bodyIdleTimeout, keepAliveTimeout, writeTimeout, maxConnections,
                    v, maxHeaderCount, allowTrace);
        }

        public FrontDoor withMaxHeaderCount(int v) {
            return new FrontDoor(headerReadTimeout, bodyIdleTimeout, keepAliveTimeout, writeTimeout, maxConnections,
                    maxConnectionsPerClient, v, allowTrace);
        }

        public FrontDoor withAllowTrace(boolean v) {
            return new FrontDoor(headerReadTimeout, bodyIdleTimeout, keepAliveTimeout, writeTimeout, maxConnections,
                    maxConnectionsPerClient, maxHeaderCount, v);
        }
    }

    /** Without Consul. */
    public NodeConfig(Node node, Limits limits, Path routesFile, UpstreamClientSettings upstream,
                      Duration drainTimeout, String accessLog, Optional<RedisSettings> redis, Cluster cluster,
                      RateLimiterOptions rateLimiter, Operations operations) {
        this(node, limits, routesFile, upstream, drainTimeout, accessLog, redis, cluster, rateLimiter, operations,
                Optional.empty());
    }

    public NodeConfig withConsul(Optional<ConsulConfig> consul) {
        return new NodeConfig(node, limits, routesFile, upstream, drainTimeout, accessLog, redis, cluster, rateLimiter,
                operations, consul, edge, frontDoor);
    }

    /** With default {@link Operations}. */
    public NodeConfig(Node node, Limits limits, Path routesFile, UpstreamClientSettings upstream,
                      Duration drainTimeout, String accessLog, Optional<RedisSettings> redis, Cluster cluster,
                      RateLimiterOptions rateLimiter) {
        this(node, limits, routesFile, upstream, drainTimeout, accessLog, redis, cluster, rateLimiter,
                Operations.defaults());
    }

    public NodeConfig withOperations(Operations operations) {
        return new NodeConfig(node, limits, routesFile, upstream, drainTimeout, accessLog, redis, cluster, rateLimiter,
                operations, consul, edge, frontDoor);
    }

    /**
     * Draining and the admin API.
     *
     * @param drainQuietPeriod a draining node stops once no request arrived for this long (and none is
     *                         in flight), or at drain-timeout
     * @param adminToken       bearer token the admin API requires; required when the admin port is
     *                         not bound to a loopback address (env LOOMGATE_ADMIN_TOKEN also works)
     */
    public record Operations(Duration drainQuietPeriod, Optional<String> adminToken) {
        public Operations {
            Objects.requireNonNull(drainQuietPeriod, "drainQuietPeriod");
            Objects.requireNonNull(adminToken, "adminToken");
        }

        public static Operations defaults() {
            return new Operations(Duration.ofSeconds(5), Optional.empty());
        }

        public Operations withDrainQuietPeriod(Duration v) {
            return new Operations(v, adminToken);
        }

        public Operations withAdminToken(String token) {
            return new Operations(drainQuietPeriod, Optional.of(token));
        }
    }

    public NodeConfig(Node node, Limits limits, Path routesFile, UpstreamClientSettings upstream,
                      Duration drainTimeout, String accessLog) {
        this(node, limits, routesFile, upstream, drainTimeout, accessLog, Optional.empty(), Cluster.defaults(),
                RateLimiterOptions.defaults());
    }

    /** All defaults; the node id is the host name. */
    public static NodeConfig defaults() {
        return new NodeConfig(Node.defaults(), Limits.defaults(), Path.of("routes.yaml"),
                UpstreamClientSettings.defaults(), Duration.ofSeconds(10), ACCESS_LOG_STDOUT, Optional.empty(),
                Cluster.defaults(), RateLimiterOptions.defaults());
    }

    public NodeConfig withNode(Node node) {
        return new NodeConfig(node, limits, routesFile, upstream, drainTimeout, accessLog, redis, cluster, rateLimiter,
                operations, consul, edge, frontDoor);
    }

    public NodeConfig withLimits(Limits limits) {
        return new NodeConfig(node, limits, routesFile, upstream, drainTimeout, accessLog, redis, cluster, rateLimiter,
                operations, consul, edge, frontDoor);
    }

    public NodeConfig withRoutesFile(Path routesFile) {
        return new NodeConfig(node, limits, routesFile, upstream, drainTimeout, accessLog, redis, cluster, rateLimiter,
                operations, consul, edge, frontDoor);
    }

    public NodeConfig withUpstream(UpstreamClientSettings upstream) {
        return new NodeConfig(node, limits, routesFile, upstream, drainTimeout, accessLog, redis, cluster, rateLimiter,
                operations, consul, edge, frontDoor);
    }

    public NodeConfig withDrainTimeout(Duration drainTimeout) {
        return new NodeConfig(node, limits, routesFile, upstream, drainTimeout, accessLog, redis, cluster, rateLimiter,
                operations, consul, edge, frontDoor);
    }

    public NodeConfig withAccessLog(String accessLog) {
        return new NodeConfig(node, limits, routesFile, upstream, drainTimeout, accessLog, redis, cluster, rateLimiter,
                operations, consul, edge, frontDoor);
    }

    public NodeConfig withRedis(Optional<RedisSettings> redis) {
        return new NodeConfig(node, limits, routesFile, upstream, drainTimeout, accessLog, redis, cluster, rateLimiter,
                operations, consul, edge, frontDoor);
    }

    public NodeConfig withCluster(Cluster cluster) {
        return new NodeConfig(node, limits, routesFile, upstream, drainTimeout, accessLog, redis, cluster, rateLimiter,
                operations, consul, edge, frontDoor);
    }

    public NodeConfig withRateLimiter(RateLimiterOptions rateLimiter) {
        return new NodeConfig(node, limits, routesFile, upstream, drainTimeout, accessLog, redis, cluster, rateLimiter,
                operations, consul, edge, frontDoor);
    }

    /**
     * What the node knows about its cluster from config.
     *
     * @param expectedNodes gateway nodes sharing the cluster-wide rate limits; the node-local fallback takes
     *                      1/expectedNodes of each limit while Redis is out (until a registry reports live counts)
     */
    public record Cluster(int expectedNodes) {
        public Cluster {
            if (expectedNodes < 1) {
                throw new IllegalArgumentException("cluster.expected-nodes: must be >= 1, got " + expectedNodes);
            }
        }

        public static Cluster defaults() {
            return new Cluster(1);
        }
    }

    /** Node identity and listen addresses; port 0 picks a free port (tests). */
    public record Node(String id, String host, int port, String adminHost, int adminPort) {
        public Node {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(adminHost, "adminHost");
        }

        public static Node defaults() {
            return new Node(Hostname.get(), "0.0.0.0", 8080, "127.0.0.1", 9080);
        }

        public Node withId(String id) {
            return new Node(id, host, port, adminHost, adminPort);
        }

        public Node withHost(String host) {
            return new Node(id, host, port, adminHost, adminPort);
        }

        public Node withPort(int port) {
            return new Node(id, host, port, adminHost, adminPort);
        }

        public Node withAdminHost(String adminHost) {
            return new Node(id, host, port, adminHost, adminPort);
        }

        public Node withAdminPort(int adminPort) {
            return new Node(id, host, port, adminHost, adminPort);
        }
    }

    /**
     * Request limits.
     *
     * @param maxHeaderSize         bytes of all request headers
     * @param maxBodySize           bytes of a request body; 0 = unlimited
     * @param maxConcurrentRequests requests in flight on this node
     * @param maxRequestLine        bytes of the request line
     * @param maxConfigSize         bytes of the routes file and of Consul KV route values, counted before parsing
     */
    public record Limits(int maxHeaderSize, long maxBodySize, int maxConcurrentRequests, int maxRequestLine,
                         long maxConfigSize) {
        public Limits(int maxHeaderSize, long maxBodySize, int maxConcurrentRequests, int maxRequestLine) {
            this(maxHeaderSize, maxBodySize, maxConcurrentRequests, maxRequestLine, ConfigSize.DEFAULT_MAX);
        }

        public static Limits defaults() {
            return new Limits(16_384, 100L * 1024 * 1024, 10_000, 8_192);
        }

        public Limits withMaxConfigSize(long v) {
            return new Limits(maxHeaderSize, maxBodySize, maxConcurrentRequests, maxRequestLine, v);
        }

        public Limits withMaxHeaderSize(int v) {
            return new Limits(v, maxBodySize, maxConcurrentRequests, maxRequestLine, maxConfigSize);
        }

        public Limits withMaxBodySize(long v) {
            return new Limits(maxHeaderSize, v, maxConcurrentRequests, maxRequestLine, maxConfigSize);
        }

        public Limits withMaxConcurrentRequests(int v) {
            return new Limits(maxHeaderSize, maxBodySize, v, maxRequestLine, maxConfigSize);
        }

        public Limits withMaxRequestLine(int v) {
            return new Limits(maxHeaderSize, maxBodySize, maxConcurrentRequests, v, maxConfigSize);
        }
    }

    /** The upstream HTTP client. */
    public record UpstreamClientSettings(Duration connectTimeout, Duration responseTimeout,
                                         int maxConnectionsPerEndpoint, Duration idleTimeout) {
        public UpstreamClientSettings {
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(responseTimeout, "responseTimeout");
            Objects.requireNonNull(idleTimeout, "idleTimeout");
        }

        public static UpstreamClientSettings defaults() {
            return new UpstreamClientSettings(Duration.ofSeconds(2), Duration.ofSeconds(30), 256, Duration.ofSeconds(60));
        }

        public UpstreamClientSettings withConnectTimeout(Duration v) {
            return new UpstreamClientSettings(v, responseTimeout, maxConnectionsPerEndpoint, idleTimeout);
        }

        public UpstreamClientSettings withResponseTimeout(Duration v) {
            return new UpstreamClientSettings(connectTimeout, v, maxConnectionsPerEndpoint, idleTimeout);
        }

        public UpstreamClientSettings withMaxConnectionsPerEndpoint(int v) {
            return new UpstreamClientSettings(connectTimeout, responseTimeout, v, idleTimeout);
        }

        public UpstreamClientSettings withIdleTimeout(Duration v) {
            return new UpstreamClientSettings(connectTimeout, responseTimeout, maxConnectionsPerEndpoint, v);
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
