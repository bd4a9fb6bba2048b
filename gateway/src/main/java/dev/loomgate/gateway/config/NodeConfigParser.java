package dev.loomgate.gateway.config;

import dev.loomgate.gateway.yaml.ConfigSize;

import dev.loomgate.gateway.observe.LogSettings;
import dev.loomgate.gateway.units.Units;

import dev.loomgate.gateway.yaml.YamlValue;
import dev.loomgate.gateway.yaml.ConfigException;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.loomgate.gateway.ratelimit.RateLimiterOptions;
import dev.loomgate.gateway.tls.ServerTlsSettings;
import dev.loomgate.gateway.trace.TracingSettings;

/**
 * Reads {@code gateway.yaml} into a {@link NodeConfig}. Every key is optional; unknown keys
 * are errors. {@code routes-file} is resolved against the config file's directory.
 */
public final class NodeConfigParser {
    static final Set<String> TOP_KEYS = RoutesParser.orderedSet(
            "node", "limits", "routes-file", "upstream", "drain-timeout", "access-log", "logging", "redis", "cluster",
            "rate-limiter", "drain-quiet-period", "consul", "paths", "forwarded", "admin", "front-door", "tracing",
            "monitoring");
    static final Set<String> TRACING_KEYS = RoutesParser.orderedSet(
            "endpoint", "sample-ratio", "service-name", "max-queue-size", "export-timeout");
    static final Set<String> MONITORING_KEYS = RoutesParser.orderedSet("prometheus-url");
    static final Set<String> PATHS_KEYS = RoutesParser.orderedSet("merge-slashes");
    static final Set<String> FORWARDED_KEYS = RoutesParser.orderedSet("trusted-proxies");
    static final Set<String> ADMIN_KEYS = RoutesParser.orderedSet("allowed-origins", "hosts",
            "require-token-on-loopback", "tls");
    static final Set<String> FRONT_DOOR_KEYS = RoutesParser.orderedSet(
            "header-read-timeout", "body-idle-timeout", "keep-alive-timeout", "write-timeout", "max-connections",
            "max-connections-per-client", "max-header-count", "allow-trace", "tls");
    static final Set<String> RATE_LIMITER_KEYS = RoutesParser.orderedSet(
            "failure-threshold", "latency-budget", "probe-interval");
    static final Set<String> LOGGING_KEYS = RoutesParser.orderedSet("format", "file");
    static final Set<String> CLUSTER_KEYS = RoutesParser.orderedSet("expected-nodes");
    static final Set<String> NODE_KEYS = RoutesParser.orderedSet("id", "host", "port", "admin-host", "admin-port",
            "admin-token");
    static final Set<String> LIMITS_KEYS = RoutesParser.orderedSet(
            "max-header-size", "max-body-size", "max-concurrent-requests", "max-request-line", "max-config-size");
    static final Set<String> UPSTREAM_KEYS = RoutesParser.orderedSet(
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
        NodeConfig.Builder config = NodeConfig.builder();
        Optional<YamlValue> rootOpt = YamlValue.parseDocument(yaml, source);
        if (rootOpt.isEmpty()) {
            return config.routesFile(baseDir.resolve(NodeConfig.DEFAULT_ROUTES_FILE)).build();
        }
        YamlValue.Fields top = rootOpt.get().fields(TOP_KEYS);
        if (top.has("node")) {
            node(top.required("node"), config);
        }
        if (top.has("limits")) {
            config.limits(limits(top.required("limits")));
        }
        Path routes = NodeConfig.DEFAULT_ROUTES_FILE;
        if (top.has("routes-file")) {
            YamlValue r = top.required("routes-file");
            try {
                routes = Path.of(r.nonBlankString());
            } catch (java.nio.file.InvalidPathException e) {
                throw r.error("not a valid path: " + e.getReason());
            }
        }
        config.routesFile(baseDir.resolve(routes));
        if (top.has("upstream")) {
            config.upstream(upstream(top.required("upstream")));
        }
        if (top.has("drain-timeout")) {
            config.drainTimeout(top.required("drain-timeout").duration());
        }
        if (top.has("access-log")) {
            config.accessLog(top.required("access-log").nonBlankString());
        }
        if (top.has("logging")) {
            config.logging(logging(top.required("logging")));
        }
        if (top.has("redis")) {
            config.redis(RateLimitConfig.redis(top.required("redis"), baseDir));
        }
        if (top.has("cluster")) {
            YamlValue.Fields c = top.required("cluster").fields(CLUSTER_KEYS);
            if (c.has("expected-nodes")) {
                config.cluster(new NodeConfig.Cluster(c.required("expected-nodes").intIn(1, 10_000)));
            }
        }
        if (top.has("rate-limiter")) {
            config.rateLimiter(rateLimiter(top.required("rate-limiter")));
        }
        if (top.has("monitoring")) {
            YamlValue.Fields m = top.required("monitoring").fields(MONITORING_KEYS);
            if (m.has("prometheus-url")) {
                YamlValue u = m.required("prometheus-url");
                java.net.URI uri;
                try {
                    uri = java.net.URI.create(u.nonBlankString().replaceAll("/+$", ""));
                } catch (IllegalArgumentException ex) {
                    throw u.error("must be a URL like http://prometheus:9090");
                }
                if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                        || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                    throw u.error("must be an http(s) URL like http://prometheus:9090 (no query)");
                }
                config.operations(o -> o.prometheusUrl(uri));
            }
        }
        if (top.has("drain-quiet-period")) {
            Duration quiet = top.required("drain-quiet-period").duration();
            config.operations(o -> o.drainQuietPeriod(quiet));
        }
        config.edge(edge(top, baseDir));
        if (top.has("front-door")) {
            config.frontDoor(frontDoor(top.required("front-door"), baseDir));
        }
        if (top.has("consul")) {
            config.consul(ConsulConfigParser.parse(top.required("consul"), baseDir));
        }
        if (top.has("tracing")) {
            config.tracing(tracing(top.required("tracing")));
        }
        return config.build();
    }

    /** {@code tracing:} (docs/OBSERVABILITY.md, "Traces"): an endpoint is required, the rest has defaults. */
    static TracingSettings tracing(YamlValue v) throws ConfigException {
        YamlValue.Fields f = v.fields(TRACING_KEYS);
        YamlValue e = f.required("endpoint");
        URI endpoint;
        try {
            endpoint = new URI(e.nonBlankString());
        } catch (URISyntaxException ex) {
            throw e.error("not a URL: " + ex.getReason());
        }
        if (!("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme())) || endpoint.getHost() == null) {
            throw e.error("an http:// or https:// URL with a host is required (OTLP/HTTP, e.g. http://127.0.0.1:4318/v1/traces)");
        }
        TracingSettings.Builder b = TracingSettings.builder(endpoint);
        if (f.has("sample-ratio")) {
            YamlValue r = f.required("sample-ratio");
            double ratio;
            try {
                ratio = Double.parseDouble(r.nonBlankString());
            } catch (NumberFormatException ex) {
                throw r.error("a number from 0 to 1 is required");
            }
            if (!(ratio >= 0 && ratio <= 1)) {
                throw r.error("a number from 0 to 1 is required");
            }
            b.sampleRatio(ratio);
        }
        if (f.has("service-name")) {
            b.serviceName(f.required("service-name").nonBlankString());
        }
        if (f.has("max-queue-size")) {
            b.maxQueueSize(f.required("max-queue-size").intIn(1, 1_000_000));
        }
        if (f.has("export-timeout")) {
            b.exportTimeout(positive(f.required("export-timeout")));
        }
        return b.build();
    }

    /** {@code paths:}, {@code forwarded:} and {@code admin:} (docs/SECURITY.md). */
    private static EdgeRules edge(YamlValue.Fields top, Path baseDir) throws ConfigException {
        EdgeRules.Builder e = EdgeRules.defaults().toBuilder();
        if (top.has("paths")) {
            YamlValue.Fields f = top.required("paths").fields(PATHS_KEYS);
            if (f.has("merge-slashes")) {
                e.paths(new EdgeRules.Paths(f.required("merge-slashes").bool()));
            }
        }
        if (top.has("forwarded")) {
            YamlValue.Fields f = top.required("forwarded").fields(FORWARDED_KEYS);
            if (f.has("trusted-proxies")) {
                YamlValue v = f.required("trusted-proxies");
                try {
                    e.forwarded(new EdgeRules.Forwarded(TrustedProxies.of(strings(v))));
                } catch (IllegalArgumentException ex) {
                    throw v.error(ex.getMessage());
                }
            }
        }
        if (top.has("admin")) {
            YamlValue.Fields f = top.required("admin").fields(ADMIN_KEYS);
            EdgeRules.Admin a = EdgeRules.Admin.defaults();
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
            Optional<ServerTlsSettings> tls = f.has("tls")
                    ? Optional.of(TlsConfigParser.listener(f.required("tls"), baseDir, System.getenv())) : Optional.empty();
            e.admin(new EdgeRules.Admin(origins, hosts, requireToken, tls));
        }
        return e.build();
    }

    private static List<String> strings(YamlValue v) throws ConfigException {
        List<String> out = new ArrayList<>();
        for (YamlValue item : v.sequence()) {
            out.add(item.nonBlankString());
        }
        return out;
    }

    /** {@code logging: { format: text|json, file: stderr|PATH }}; unset keys keep their defaults. */
    private static LogSettings logging(YamlValue v) throws ConfigException {
        YamlValue.Fields f = v.fields(LOGGING_KEYS);
        LogSettings.Format format = LogSettings.DEFAULT_FORMAT;
        if (f.has("format")) {
            YamlValue fv = f.required("format");
            try {
                format = LogSettings.Format.parse(fv.nonBlankString());
            } catch (IllegalArgumentException e) {
                throw fv.error(e.getMessage());
            }
        }
        String file = f.has("file") ? f.required("file").nonBlankString() : LogSettings.DEFAULT_FILE;
        return new LogSettings(format, file);
    }

    private static RateLimiterOptions rateLimiter(YamlValue v) throws ConfigException {
        YamlValue.Fields f = v.fields(RATE_LIMITER_KEYS);
        RateLimiterOptions.Builder o = RateLimiterOptions.builder();
        if (f.has("failure-threshold")) {
            o.failureThreshold(f.required("failure-threshold").intIn(1, 1_000));
        }
        if (f.has("latency-budget")) {
            o.latencyBudget(positive(f.required("latency-budget")));
        }
        if (f.has("probe-interval")) {
            o.probeInterval(positive(f.required("probe-interval")));
        }
        return o.build();
    }

    private static FrontDoorConfig frontDoor(YamlValue v, Path baseDir) throws ConfigException {
        YamlValue.Fields f = v.fields(FRONT_DOOR_KEYS);
        FrontDoorConfig.Builder d = FrontDoorConfig.defaults().toBuilder();
        if (f.has("header-read-timeout")) {
            d.headerReadTimeout(positive(f.required("header-read-timeout")));
        }
        if (f.has("body-idle-timeout")) {
            d.bodyIdleTimeout(positive(f.required("body-idle-timeout")));
        }
        if (f.has("keep-alive-timeout")) {
            d.keepAliveTimeout(positive(f.required("keep-alive-timeout")));
        }
        if (f.has("write-timeout")) {
            d.writeTimeout(positive(f.required("write-timeout")));
        }
        if (f.has("max-connections")) {
            d.maxConnections(f.required("max-connections").intIn(1, 10_000_000));
        }
        if (f.has("max-connections-per-client")) {
            d.maxConnectionsPerClient(f.required("max-connections-per-client").intIn(1, 10_000_000));
        }
        if (f.has("max-header-count")) {
            d.maxHeaderCount(f.required("max-header-count").intIn(1, 10_000));
        }
        if (f.has("allow-trace")) {
            d.allowTrace(f.required("allow-trace").bool());
        }
        if (f.has("tls")) {
            d.tls(TlsConfigParser.listener(f.required("tls"), baseDir, System.getenv()));
        }
        return d.build();
    }

    private static Duration positive(YamlValue v) throws ConfigException {
        Duration d = v.duration();
        if (d.isZero()) {
            throw v.error("must be > 0");
        }
        return d;
    }

    /** {@code node:}; {@code admin-token} goes to {@link NodeConfig.Operations}. */
    private static void node(YamlValue v, NodeConfig.Builder config) throws ConfigException {
        YamlValue.Fields f = v.fields(NODE_KEYS);
        NodeConfig.Node.Builder n = NodeConfig.Node.defaults().toBuilder();
        if (f.has("id")) {
            n.id(f.required("id").nonBlankString());
        }
        if (f.has("host")) {
            n.host(f.required("host").nonBlankString());
        }
        if (f.has("port")) {
            n.port(f.required("port").intIn(0, 65535));
        }
        if (f.has("admin-host")) {
            n.adminHost(f.required("admin-host").nonBlankString());
        }
        if (f.has("admin-port")) {
            n.adminPort(f.required("admin-port").intIn(0, 65535));
        }
        config.node(n.build());
        if (v.mapping().containsKey("admin-token")) {
            YamlValue t = f.required("admin-token");
            String token = t.nonBlankString();
            if (token.length() < 16 || token.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
                throw t.error("must be at least 16 visible ASCII characters");
            }
            config.operations(o -> o.adminToken(token));
        }
    }

    private static NodeLimits limits(YamlValue v) throws ConfigException {
        YamlValue.Fields f = v.fields(LIMITS_KEYS);
        NodeLimits.Builder l = NodeLimits.defaults().toBuilder();
        if (f.has("max-header-size")) {
            l.maxHeaderSize((int) f.required("max-header-size").sizeIn(1, Integer.MAX_VALUE));
        }
        if (f.has("max-body-size")) {
            l.maxBodySize(f.required("max-body-size").sizeIn(0, Long.MAX_VALUE));
        }
        if (f.has("max-concurrent-requests")) {
            l.maxConcurrentRequests(f.required("max-concurrent-requests").intIn(1, Integer.MAX_VALUE));
        }
        if (f.has("max-request-line")) {
            l.maxRequestLine((int) f.required("max-request-line").sizeIn(1, Integer.MAX_VALUE));
        }
        if (f.has("max-config-size")) {
            l.maxConfigSize(f.required("max-config-size").sizeIn(1024, ConfigSize.MAX_CONFIGURABLE));
        }
        return l.build();
    }

    private static UpstreamClientSettings upstream(YamlValue v) throws ConfigException {
        YamlValue.Fields f = v.fields(UPSTREAM_KEYS);
        UpstreamClientSettings.Builder u = UpstreamClientSettings.defaults().toBuilder();
        if (f.has("connect-timeout")) {
            u.connectTimeout(f.required("connect-timeout").duration());
        }
        if (f.has("response-timeout")) {
            u.responseTimeout(f.required("response-timeout").duration());
        }
        if (f.has("max-connections-per-endpoint")) {
            u.maxConnectionsPerEndpoint(f.required("max-connections-per-endpoint").intIn(1, 1_000_000));
        }
        if (f.has("idle-timeout")) {
            u.idleTimeout(f.required("idle-timeout").duration());
        }
        return u.build();
    }
}
