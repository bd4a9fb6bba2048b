package dev.loomgate.gateway.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.TreeSet;

import dev.loomgate.gateway.client.ClientSettings;
import dev.loomgate.gateway.frontdoor.FrontDoorSettings;
import dev.loomgate.gateway.observe.LogSettings;
import dev.loomgate.gateway.ratelimit.RateLimiterOptions;
import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.resilience.CircuitBreakerSettings;
import dev.loomgate.gateway.resilience.HealthCheckSettings;
import dev.loomgate.gateway.resilience.OutlierSettings;
import dev.loomgate.gateway.resilience.RetryPolicy;
import dev.loomgate.gateway.trace.TracingSettings;
import dev.loomgate.gateway.tls.ClientTlsSettings;
import dev.loomgate.gateway.tls.ServerTlsSettings;
import dev.loomgate.gateway.units.Units;
import dev.loomgate.gateway.upstream.PeakEwmaSettings;

/**
 * The configuration reference as the code sees it: per documented table, every key with its default spelled
 * as docs/CONFIG.md (and docs/CONSUL.md) write it, taken from the one constant that holds it. A test holds the
 * docs' tables and the parsers' key sets to this list, so a default changed in code, or a key added to a parser,
 * fails the build until the docs say the same.
 */
public final class ConfigReference {
    /** What a table says for a key without a default. */
    static final String NONE = "none";
    static final String REQUIRED = "required";

    private ConfigReference() {
    }

    /**
     * One documented table.
     *
     * @param document the file under docs/, e.g. {@code CONFIG.md}
     * @param heading  the heading line the table follows, e.g. {@code ## Node config (`gateway.yaml`)}
     * @param rows     key (as written in the table's first column) and default text, in table order
     */
    public record Table(String document, String heading, List<Row> rows) {
        public Table {
            Objects.requireNonNull(document, "document");
            Objects.requireNonNull(heading, "heading");
            rows = List.copyOf(rows);
        }

        public List<String> keys() {
            return rows.stream().map(Row::key).toList();
        }
    }

    /** A key and its default as the docs write it (backticks and a trailing parenthetical remark aside). */
    public record Row(String key, String defaultText) {
        public Row {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(defaultText, "defaultText");
        }
    }

    /** Every table the reference covers. */
    public static List<Table> tables() {
        return List.of(nodeConfig(), consul(), timeouts(), retries(), healthCheck(), outlierDetection(),
                circuitBreaker(), upstreamLimits(), peakEwma(), listenerTls(), upstreamTls());
    }

    /** {@code gateway.yaml}: docs/CONFIG.md "Node config". */
    static Table nodeConfig() {
        NodeLimits limits = NodeLimits.defaults();
        FrontDoorConfig fd = FrontDoorConfig.defaults();
        List<Row> rows = new ArrayList<>(List.of(
                row("node.id", NodeConfig.Node.DEFAULT_ID_TEXT),
                row("node.host", NodeConfig.Node.DEFAULT_HOST),
                row("node.port", NodeConfig.Node.DEFAULT_PORT),
                row("node.admin-host", NodeConfig.Node.DEFAULT_ADMIN_HOST),
                row("node.admin-port", NodeConfig.Node.DEFAULT_ADMIN_PORT),
                row("node.admin-token", "env " + NodeConfig.Operations.ADMIN_TOKEN_ENV),
                row("limits.max-header-size", size(limits.maxHeaderSize())),
                row("limits.max-body-size", size(limits.maxBodySize())),
                row("limits.max-concurrent-requests", limits.maxConcurrentRequests()),
                row("limits.max-request-line", size(limits.maxRequestLine())),
                row("limits.max-config-size", size(limits.maxConfigSize())),
                row("paths.merge-slashes", EdgeRules.Paths.DEFAULT_MERGE_SLASHES),
                row("forwarded.trusted-proxies", "[]"),
                row("admin.allowed-origins", "[]"),
                row("admin.hosts", "[]"),
                row("admin.require-token-on-loopback", EdgeRules.Admin.DEFAULT_REQUIRE_TOKEN_ON_LOOPBACK),
                row("admin.tls", NONE),
                row("routes-file", NodeConfig.DEFAULT_ROUTES_FILE.toString()),
                row("upstream.connect-timeout", ClientSettings.DEFAULT_CONNECT_TIMEOUT),
                row("upstream.response-timeout", ClientSettings.DEFAULT_RESPONSE_TIMEOUT),
                row("upstream.max-connections-per-endpoint", ClientSettings.DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT),
                row("upstream.idle-timeout", ClientSettings.DEFAULT_IDLE_TIMEOUT),
                row("drain-timeout", NodeConfig.DEFAULT_DRAIN_TIMEOUT),
                row("drain-quiet-period", NodeConfig.Operations.DEFAULT_DRAIN_QUIET_PERIOD),
                row("access-log", NodeConfig.DEFAULT_ACCESS_LOG),
                row("logging.format", LogSettings.DEFAULT_FORMAT.key()),
                row("logging.file", LogSettings.DEFAULT_FILE),
                row("monitoring.prometheus-url", NONE),
                row("redis.mode", "from the block given"),
                row("redis.address", NONE),
                row("redis.cluster.addresses", NONE),
                row("redis.sentinel.master-name", NONE),
                row("redis.sentinel.addresses", NONE),
                row("redis.sentinel.tls", "as redis.tls"),
                row("redis.user", NONE),
                row("redis.password", NONE),
                row("redis.tls", RedisSettings.DEFAULT_TLS),
                row("redis.tls.enabled", true),
                row("redis.tls.ca-file", "JVM trust store"),
                row("redis.tls.server-name", "the dialled host"),
                row("redis.tls.client-cert", NONE),
                row("redis.tls.client-key", NONE),
                row("redis.database", RedisSettings.DEFAULT_DATABASE),
                row("redis.connect-timeout", RedisSettings.DEFAULT_CONNECT_TIMEOUT),
                row("redis.read-timeout", RedisSettings.DEFAULT_READ_TIMEOUT),
                row("redis.pool-size", RedisSettings.DEFAULT_POOL_SIZE),
                row("redis.pool-wait", RedisSettings.DEFAULT_POOL_WAIT),
                row("cluster.expected-nodes", NodeConfig.Cluster.DEFAULT_EXPECTED_NODES),
                row("rate-limiter.latency-budget", RateLimiterOptions.DEFAULT_LATENCY_BUDGET),
                row("rate-limiter.failure-threshold", RateLimiterOptions.DEFAULT_FAILURE_THRESHOLD),
                row("rate-limiter.probe-interval", RateLimiterOptions.DEFAULT_PROBE_INTERVAL),
                row("front-door.header-read-timeout", fd.headerReadTimeout()),
                row("front-door.body-idle-timeout", fd.bodyIdleTimeout()),
                row("front-door.keep-alive-timeout", fd.keepAliveTimeout()),
                row("front-door.write-timeout", fd.writeTimeout()),
                row("front-door.max-connections", fd.maxConnections()),
                row("front-door.max-connections-per-client", fd.maxConnectionsPerClient()),
                row("front-door.max-header-count", fd.maxHeaderCount()),
                row("front-door.allow-trace", fd.allowTrace()),
                row("front-door.tls", NONE),
                row("consul", NONE),
                row("tracing.endpoint", NONE),
                row("tracing.sample-ratio", TracingSettings.DEFAULT_SAMPLE_RATIO),
                row("tracing.service-name", TracingSettings.DEFAULT_SERVICE_NAME),
                row("tracing.max-queue-size", TracingSettings.DEFAULT_MAX_QUEUE_SIZE),
                row("tracing.export-timeout", TracingSettings.DEFAULT_EXPORT_TIMEOUT)));
        return new Table("CONFIG.md", "## Node config (`gateway.yaml`)", rows);
    }

    /** The {@code consul:} block: docs/CONSUL.md "Node setup". */
    static Table consul() {
        return new Table("CONSUL.md", "## Node setup", List.of(
                row("addresses", REQUIRED),
                row("token", "$" + ConsulConfig.TOKEN_ENV),
                row("tls", "off"),
                row("kv-prefix", ConsulConfig.DEFAULT_KV_PREFIX),
                row("routes", ConsulConfig.DEFAULT_ROUTES_FROM_KV ? "kv" : "file"),
                row("snapshot-file", ConsulConfig.DEFAULT_SNAPSHOT_FILE.toString()),
                row("register", ConsulConfig.DEFAULT_REGISTER),
                row("advertise-address", "see above"),
                row("check-interval", ConsulConfig.DEFAULT_CHECK_INTERVAL),
                row("deregister-after", ConsulConfig.DEFAULT_DEREGISTER_AFTER),
                row("panic-threshold", share(ConsulConfig.DEFAULT_PANIC_THRESHOLD)),
                row("freeze", ConsulConfig.DEFAULT_FREEZE),
                row("watch-wait", ConsulConfig.DEFAULT_WATCH_WAIT)));
    }

    /** Route and upstream {@code timeouts}: unset ones fall through to gateway.yaml's upstream client. */
    static Table timeouts() {
        return new Table("CONFIG.md", "#### `timeouts` (route or upstream)", List.of(
                row("connect", "upstream.connect-timeout of gateway.yaml"),
                row("response", "upstream.response-timeout"),
                row("total", "unbounded")));
    }

    static Table retries() {
        StringJoiner on = new StringJoiner(", ", "[", "]");
        for (RetryPolicy.Condition c : RetryPolicy.Condition.values()) {
            if (RetryPolicy.DEFAULT_ON.contains(c)) {
                on.add(c.configName());
            }
        }
        new TreeSet<>(RetryPolicy.DEFAULT_STATUSES).forEach(s -> on.add(Integer.toString(s)));
        return new Table("CONFIG.md", "#### `retries` (route)", List.of(
                row("attempts", RetryPolicy.DEFAULT_ATTEMPTS),
                row("on", on.toString()),
                row("budget.percent", RetryPolicy.DEFAULT_BUDGET_PERCENT),
                row("budget.min-per-second", RetryPolicy.DEFAULT_BUDGET_MIN_PER_SECOND),
                row("max-buffered-body", size(RetryPolicy.DEFAULT_MAX_BUFFERED_BODY))));
    }

    static Table healthCheck() {
        return new Table("CONFIG.md", "#### `health-check` (upstream)", List.of(
                row("path", REQUIRED),
                row("interval", HealthCheckSettings.DEFAULT_INTERVAL),
                row("timeout", HealthCheckSettings.DEFAULT_TIMEOUT),
                row("healthy-threshold", HealthCheckSettings.DEFAULT_HEALTHY_THRESHOLD),
                row("unhealthy-threshold", HealthCheckSettings.DEFAULT_UNHEALTHY_THRESHOLD),
                row("expected-statuses", "[" + ResilienceParser.DEFAULT_EXPECTED_LOW + "-"
                        + ResilienceParser.DEFAULT_EXPECTED_HIGH + "]")));
    }

    static Table outlierDetection() {
        OutlierSettings d = OutlierSettings.DEFAULTS;
        return new Table("CONFIG.md", "#### `outlier-detection` (upstream)", List.of(
                row("consecutive-failures", d.consecutiveFailures()),
                row("base-ejection-time", d.baseEjectionTime()),
                row("max-ejection-time", d.maxEjectionTime()),
                row("max-ejection-percent", d.maxEjectionPercent())));
    }

    static Table circuitBreaker() {
        CircuitBreakerSettings d = CircuitBreakerSettings.DEFAULTS;
        return new Table("CONFIG.md", "#### `circuit-breaker` (upstream)", List.of(
                row("window", d.window()),
                row("failure-ratio", d.failureRatio()),
                row("open-for", d.openFor()),
                row("half-open-requests", d.halfOpenRequests())));
    }

    static Table upstreamLimits() {
        return new Table("CONFIG.md", "#### `max-in-flight` and `panic-mode` (upstream)", List.of(
                row("max-in-flight", "unlimited"), // ResilienceParser.UNLIMITED_IN_FLIGHT
                row("panic-mode", ResilienceParser.DEFAULT_PANIC_MODE)));
    }

    static Table peakEwma() {
        return new Table("CONFIG.md", "#### `peak-ewma` (upstream)", List.of(
                row("decay-time", PeakEwmaSettings.DEFAULT_DECAY_TIME)));
    }

    /** {@code front-door.tls} and {@code admin.tls}: docs/CONFIG.md "TLS listeners". */
    static Table listenerTls() {
        List<Row> rows = new ArrayList<>();
        for (String k : TlsConfigParser.LISTENER_KEYS) {
            rows.add(switch (k) {
                case "certificates" -> row(k, REQUIRED);
                case "protocols" -> row(k, "[" + String.join(", ", ServerTlsSettings.DEFAULT_PROTOCOLS) + "]");
                case "cipher-suites" -> row(k, "see SECURITY.md");
                case "alpn" -> row(k, "[" + String.join(", ", ServerTlsSettings.DEFAULT_APPLICATION_PROTOCOLS) + "]");
                case "reload-interval" -> row(k, ServerTlsSettings.DEFAULT_RELOAD_INTERVAL);
                default -> throw new IllegalStateException("undocumented key " + k);
            });
            if (k.equals("certificates")) {
                for (String c : TlsConfigParser.CERTIFICATE_KEYS) {
                    rows.add(row("certificates[]." + c, c.equals("server-names") ? "the certificate's DNS names" : NONE));
                }
            }
        }
        return new Table("CONFIG.md", "#### `tls` (listener)", rows);
    }

    /** An upstream's {@code tls:}: docs/CONFIG.md. */
    static Table upstreamTls() {
        return new Table("CONFIG.md", "#### `tls` (upstream)", List.of(
                row("ca", "JDK trust store"),
                row("client-cert", NONE),
                row("client-key", NONE),
                row("server-name", "endpoint host"),
                row("verify", ClientTlsSettings.defaults().verify()),
                row("reload-interval", ClientTlsSettings.DEFAULT_RELOAD_INTERVAL)));
    }

    private static Row row(String key, Object value) {
        String text = switch (value) {
            case Duration d -> Units.format(d);
            default -> String.valueOf(value);
        };
        return new Row(key, text);
    }

    private static String size(long bytes) {
        return Units.formatSize(bytes);
    }

    private static String share(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
