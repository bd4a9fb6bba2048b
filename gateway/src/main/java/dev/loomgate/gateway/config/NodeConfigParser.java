package dev.loomgate.gateway.config;

import dev.loomgate.gateway.yaml.ConfigSize;

import dev.loomgate.gateway.yaml.ConfigValues;

import dev.loomgate.gateway.yaml.YamlValue;
import dev.loomgate.gateway.yaml.ConfigException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.loomgate.gateway.ratelimit.RateLimiterOptions;

/**
 * Reads {@code gateway.yaml} into a {@link NodeConfig}. Every key is optional; unknown keys
 * are errors. {@code routes-file} is resolved against the config file's directory.
 */
public final class NodeConfigParser {
    private static final Set<String> TOP_KEYS = RoutesParser.orderedSet(
            "node", "limits", "routes-file", "upstream", "drain-timeout", "access-log", "redis", "cluster",
            "rate-limiter", "drain-quiet-period", "consul", "paths", "forwarded", "admin", "front-door");
    private static final Set<String> PATHS_KEYS = RoutesParser.orderedSet("merge-slashes");
    private static final Set<String> FORWARDED_KEYS = RoutesParser.orderedSet("trusted-proxies");
    private static final Set<String> ADMIN_KEYS = RoutesParser.orderedSet("allowed-origins", "hosts",
            "require-token-on-loopback");
    private static final Set<String> FRONT_DOOR_KEYS = RoutesParser.orderedSet(
            "header-read-timeout", "body-idle-timeout", "keep-alive-timeout", "write-timeout", "max-connections",
            "max-connections-per-client", "max-header-count", "allow-trace");
    private static final Set<String> RATE_LIMITER_KEYS = RoutesParser.orderedSet(
            "failure-threshold", "latency-budget", "probe-interval");
    private static final Set<String> CLUSTER_KEYS = RoutesParser.orderedSet("expected-nodes");
    private static final Set<String> NODE_KEYS = RoutesParser.orderedSet("id", "host", "port", "admin-host", "admin-port",
            "admin-token");
    private static final Set<String> LIMITS_KEYS = RoutesParser.orderedSet(
            "max-header-size", "max-body-size", "max-concurrent-requests", "max-request-line", "max-config-size");
    private static final Set<String> UPSTREAM_KEYS = RoutesParser.orderedSet(
            "connect-timeout", "response-timeout", "max-connections-per-endpoint", "idle-timeout");

    private NodeConfigParser() {
    }

    public static NodeConfig parse(Path file) throws ConfigException {
        Path dir = file.toAbsolutePath().getParent();
        return parse(RoutesParser.readUtf8(file, ConfigSize.DEFAULT_MAX), RoutesParser.fileName(file), dir == null ? Path.of("") : dir);
    }

    /** Parses text; a relative {@code routes-file} stays relative (to the working directory). */
    public static NodeConfig parse(String yaml, String source) throws ConfigException {
        return parse(yaml, source, Path.of(""));
    }

    private static NodeConfig parse(String yaml, String source, Path baseDir) throws ConfigException {
        NodeConfig config = NodeConfig.defaults();
        Optional<YamlValue> rootOpt = YamlValue.parseDocument(yaml, source);
        if (rootOpt.isEmpty()) {
            return config.withRoutesFile(baseDir.resolve(config.routesFile()));
        }
        YamlValue.Fields top = rootOpt.get().fields(TOP_KEYS);
        if (top.has("node")) {
            config = config.withNode(node(top.required("node"), config.node()));
        }
        if (top.has("limits")) {
            config = config.withLimits(limits(top.required("limits"), config.limits()));
        }
        Path routes = config.routesFile();
        if (top.has("routes-file")) {
            YamlValue r = top.required("routes-file");
            try {
                routes = Path.of(r.nonBlankString());
            } catch (java.nio.file.InvalidPathException e) {
                throw r.error("not a valid path: " + e.getReason());
            }
        }
        config = config.withRoutesFile(baseDir.resolve(routes));
        if (top.has("upstream")) {
            config = config.withUpstream(upstream(top.required("upstream"), config.upstream()));
        }
        if (top.has("drain-timeout")) {
            config = config.withDrainTimeout(duration(top.required("drain-timeout")));
        }
        if (top.has("access-log")) {
            config = config.withAccessLog(top.required("access-log").nonBlankString());
        }
        if (top.has("redis")) {
            config = config.withRedis(Optional.of(RateLimitConfig.redis(top.required("redis"))));
        }
        if (top.has("cluster")) {
            YamlValue.Fields c = top.required("cluster").fields(CLUSTER_KEYS);
            if (c.has("expected-nodes")) {
                config = config.withCluster(new NodeConfig.Cluster(c.required("expected-nodes").intIn(1, 10_000)));
            }
        }
        if (top.has("rate-limiter")) {
            config = config.withRateLimiter(rateLimiter(top.required("rate-limiter"), config.rateLimiter()));
        }
        if (top.has("drain-quiet-period")) {
            config = config.withOperations(config.operations().withDrainQuietPeriod(duration(top.required("drain-quiet-period"))));
        }
        if (top.has("node") && top.required("node").mapping().containsKey("admin-token")) {
            YamlValue t = top.required("node").fields(NODE_KEYS).required("admin-token");
            String token = t.nonBlankString();
            if (token.length() < 16 || token.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
                throw t.error("must be at least 16 visible ASCII characters");
            }
            config = config.withOperations(config.operations().withAdminToken(token));
        }
        config = config.withEdge(edge(top, config.edge()));
        if (top.has("front-door")) {
            config = config.withFrontDoor(frontDoor(top.required("front-door"), config.frontDoor()));
        }
        if (top.has("consul")) {
            config = config.withConsul(Optional.of(ConsulConfigParser.parse(top.required("consul"), baseDir)));
        }
        return config;
    }

    /** {@code paths:}, {@code forwarded:} and {@code admin:} (docs/SECURITY.md). */
    private static EdgeRules edge(YamlValue.Fields top, EdgeRules e) throws ConfigException {
        if (top.has("paths")) {
            YamlValue.Fields f = top.required("paths").fields(PATHS_KEYS);
            if (f.has("merge-slashes")) {
                e = e.withPaths(new EdgeRules.Paths(f.required("merge-slashes").bool()));
            }
        }
        if (top.has("forwarded")) {
            YamlValue.Fields f = top.required("forwarded").fields(FORWARDED_KEYS);
            if (f.has("trusted-proxies")) {
                YamlValue v = f.required("trusted-proxies");
                try {
                    e = e.withForwarded(new EdgeRules.Forwarded(TrustedProxies.of(strings(v))));
                } catch (IllegalArgumentException ex) {
                    throw v.error(ex.getMessage());
                }
            }
        }
        if (top.has("admin")) {
            YamlValue.Fields f = top.required("admin").fields(ADMIN_KEYS);
            EdgeRules.Admin a = e.admin();
            List<String> origins = a.allowedOrigins();
            if (f.has("allowed-origins")) {
                origins = new ArrayList<>();
                for (YamlValue o : f.required("allowed-origins").sequence()) {
                    String text = o.nonBlankString();
                    if (!text.matches("https?://[A-Za-z0-9.\\-\\[\\]:]+")) {
                        throw o.error("must be an origin like https://ops.example.com (scheme, host, optional port)");
                    }
                    origins.add(text.toLowerCase(java.util.Locale.ROOT));
                }
            }
            List<String> hosts = f.has("hosts") ? strings(f.required("hosts")).stream()
                    .map(h -> h.toLowerCase(java.util.Locale.ROOT)).toList() : a.hosts();
            boolean requireToken = f.has("require-token-on-loopback")
                    ? f.required("require-token-on-loopback").bool() : a.requireTokenOnLoopback();
            e = e.withAdmin(new EdgeRules.Admin(origins, hosts, requireToken));
        }
        return e;
    }

    private static List<String> strings(YamlValue v) throws ConfigException {
        List<String> out = new ArrayList<>();
        for (YamlValue item : v.sequence()) {
            out.add(item.nonBlankString());
        }
        return out;
    }

    private static RateLimiterOptions rateLimiter(YamlValue v, RateLimiterOptions o) throws ConfigException {
        YamlValue.Fields f = v.fields(RATE_LIMITER_KEYS);
        int threshold = f.has("failure-threshold") ? f.required("failure-threshold").intIn(1, 1_000)
                : o.failureThreshold();
        Duration budget = f.has("latency-budget") ? positive(f.required("latency-budget")) : o.latencyBudget();
        Duration probe = f.has("probe-interval") ? positive(f.required("probe-interval")) : o.probeInterval();
        return o.withBreaker(threshold, budget, probe);
    }

    private static NodeConfig.FrontDoor frontDoor(YamlValue v, NodeConfig.FrontDoor d) throws ConfigException {
        YamlValue.Fields f = v.fields(FRONT_DOOR_KEYS);
        if (f.has("header-read-timeout")) {
            d = d.withHeaderReadTimeout(positive(f.required("header-read-timeout")));
        }
        if (f.has("body-idle-timeout")) {
            d = d.withBodyIdleTimeout(positive(f.required("body-idle-timeout")));
        }
        if (f.has("keep-alive-timeout")) {
            d = d.withKeepAliveTimeout(positive(f.required("keep-alive-timeout")));
        }
        if (f.has("write-timeout")) {
            d = d.withWriteTimeout(positive(f.required("write-timeout")));
        }
        if (f.has("max-connections")) {
            d = d.withMaxConnections(f.required("max-connections").intIn(1, 10_000_000));
        }
        if (f.has("max-connections-per-client")) {
            d = d.withMaxConnectionsPerClient(f.required("max-connections-per-client").intIn(1, 10_000_000));
        }
        if (f.has("max-header-count")) {
            d = d.withMaxHeaderCount(f.required("max-header-count").intIn(1, 10_000));
        }
        if (f.has("allow-trace")) {
            d = d.withAllowTrace(f.required("allow-trace").bool());
        }
        return d;
    }

    private static Duration positive(YamlValue v) throws ConfigException {
        Duration d = duration(v);
        if (d.isZero() || d.isNegative()) {
            throw v.error("must be > 0");
        }
        return d;
    }

    private static NodeConfig.Node node(YamlValue v, NodeConfig.Node n) throws ConfigException {
        YamlValue.Fields f = v.fields(NODE_KEYS);
        if (f.has("id")) {
            n = n.withId(f.required("id").nonBlankString());
        }
        if (f.has("host")) {
            n = n.withHost(f.required("host").nonBlankString());
        }
        if (f.has("port")) {
            n = n.withPort(f.required("port").intIn(0, 65535));
        }
        if (f.has("admin-host")) {
            n = n.withAdminHost(f.required("admin-host").nonBlankString());
        }
        if (f.has("admin-port")) {
            n = n.withAdminPort(f.required("admin-port").intIn(0, 65535));
        }
        return n;
    }

    private static NodeConfig.Limits limits(YamlValue v, NodeConfig.Limits l) throws ConfigException {
        YamlValue.Fields f = v.fields(LIMITS_KEYS);
        if (f.has("max-header-size")) {
            l = l.withMaxHeaderSize((int) f.required("max-header-size").sizeIn(1, Integer.MAX_VALUE));
        }
        if (f.has("max-body-size")) {
            l = l.withMaxBodySize(f.required("max-body-size").sizeIn(0, Long.MAX_VALUE));
        }
        if (f.has("max-concurrent-requests")) {
            l = l.withMaxConcurrentRequests(f.required("max-concurrent-requests").intIn(1, Integer.MAX_VALUE));
        }
        if (f.has("max-request-line")) {
            l = l.withMaxRequestLine((int) f.required("max-request-line").sizeIn(1, Integer.MAX_VALUE));
        }
        if (f.has("max-config-size")) {
            l = l.withMaxConfigSize(f.required("max-config-size").sizeIn(1024, ConfigSize.MAX_CONFIGURABLE));
        }
        return l;
    }

    private static NodeConfig.UpstreamClientSettings upstream(YamlValue v, NodeConfig.UpstreamClientSettings u)
            throws ConfigException {
        YamlValue.Fields f = v.fields(UPSTREAM_KEYS);
        if (f.has("connect-timeout")) {
            u = u.withConnectTimeout(duration(f.required("connect-timeout")));
        }
        if (f.has("response-timeout")) {
            u = u.withResponseTimeout(duration(f.required("response-timeout")));
        }
        if (f.has("max-connections-per-endpoint")) {
            u = u.withMaxConnectionsPerEndpoint(f.required("max-connections-per-endpoint").intIn(1, 1_000_000));
        }
        if (f.has("idle-timeout")) {
            u = u.withIdleTimeout(duration(f.required("idle-timeout")));
        }
        return u;
    }

    private static Duration duration(YamlValue v) throws ConfigException {
        try {
            return ConfigValues.duration(v.string());
        } catch (IllegalArgumentException e) {
            throw v.error(e.getMessage());
        }
    }
}
