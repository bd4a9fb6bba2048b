package dev.loomgate.gateway.config;

import dev.loomgate.gateway.yaml.ConfigSize;

import dev.loomgate.gateway.yaml.YamlValue;
import dev.loomgate.gateway.yaml.ConfigException;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import dev.loomgate.gateway.pipeline.FilterRegistry;
import dev.loomgate.gateway.pipeline.PipelineSpec;
import dev.loomgate.gateway.policy.BuiltInPolicies;
import dev.loomgate.gateway.policy.ratelimit.RateLimitFilterFactory;
import dev.loomgate.gateway.route.Route;
import dev.loomgate.gateway.upstream.ConsulService;
import dev.loomgate.gateway.upstream.Endpoint;
import dev.loomgate.gateway.upstream.HashKeySpec;
import dev.loomgate.gateway.upstream.LoadBalancerKind;
import dev.loomgate.gateway.upstream.PeakEwmaSettings;
import dev.loomgate.gateway.units.Units;
import dev.loomgate.gateway.upstream.UpstreamDefinition;
import dev.loomgate.gateway.tls.ClientTls;
import dev.loomgate.gateway.tls.ClientTlsSettings;
import dev.loomgate.gateway.tls.TlsMaterialException;

/**
 * Reads a routes file (YAML) into a validated {@link RoutesDocument}. See docs/CONFIG.md for
 * the schema. Every error names the field path, the line and the reason.
 */
public final class RoutesParser {
    private static final Set<String> TOP_KEYS = orderedSet("version", "upstreams", "routes", "default-filters",
            "default-rate-limit");
    // `consul:` is the alternative to `endpoints:`: instances discovered in Consul
    private static final Set<String> UPSTREAM_KEYS = orderedSet("name", "load-balancer", "hash-key", "peak-ewma", "endpoints",
            "timeouts", "health-check", "outlier-detection", "circuit-breaker", "max-in-flight", "panic-mode",
            "consul", "tls");
    private static final Set<String> CONSUL_KEYS = orderedSet("service", "tags", "passing-only");
    private static final Pattern CONSUL_SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9\\-_.]*");
    private static final Set<String> HASH_KEY_KEYS = orderedSet("header", "cookie", "session", "client-ip");
    static final Set<String> PEAK_EWMA_KEYS = orderedSet("decay-time");
    /** Below this the average forgets between two requests; above it a recovered endpoint waits hours. */
    static final Duration MIN_DECAY_TIME = Duration.ofMillis(10);
    static final Duration MAX_DECAY_TIME = Duration.ofMinutes(10);
    private static final Set<String> ENDPOINT_KEYS = orderedSet("address", "weight");
    private static final Pattern UPSTREAM_NAME = Pattern.compile("[a-z0-9][a-z0-9\\-_.]*");

    private RoutesParser() {
    }

    static String fileName(Path file) {
        return file.getFileName() == null ? file.toString() : file.getFileName().toString();
    }

    /**
     * Reads a config file as UTF-8, at most {@code maxSize} bytes (checked before decoding or parsing);
     * IO, size and encoding errors become {@link ConfigException}s. Shared by both config parsers.
     */
    static String readUtf8(Path file, long maxSize) throws ConfigException {
        return decodeUtf8(ConfigSize.read(file, maxSize), fileName(file));
    }

    /** Parses a routes file of at most {@link ConfigSize#DEFAULT_MAX} bytes. */
    public static RoutesDocument parse(Path file) throws ConfigException {
        return parse(file, ConfigSize.DEFAULT_MAX);
    }

    /** Parses a routes file; IO, size and encoding errors are reported as {@link ConfigException} too. */
    public static RoutesDocument parse(Path file, long maxSize) throws ConfigException {
        return parse(readUtf8(file, maxSize), fileName(file));
    }

    /**
     * @param yamlText   the document
     * @param sourceName used in error messages, e.g. {@code routes.yaml}
     */
    public static RoutesDocument parse(String yamlText, String sourceName) throws ConfigException {
        return parse(yamlText, sourceName, BuiltInPolicies.registry());
    }

    /** @param policies the policies routes may use, by key */
    public static RoutesDocument parse(String yamlText, String sourceName, FilterRegistry policies)
            throws ConfigException {
        YamlValue root = YamlValue.parseDocument(yamlText, sourceName)
                .orElseThrow(() -> new ConfigException(sourceName, 0, "", "file is empty"));
        if (!root.isMapping()) {
            throw root.error("the document must be a mapping with 'upstreams' and 'routes'");
        }
        YamlValue.Fields top = root.fields(TOP_KEYS);
        String version = top.optional("version").isPresent()
                ? top.required("version").nonBlankString()
                : contentVersion(yamlText);

        List<UpstreamDefinition> upstreams = new ArrayList<>();
        Map<String, YamlValue> upstreamNodes = new HashMap<>();
        if (top.has("upstreams")) {
            for (YamlValue u : top.required("upstreams").sequence()) {
                UpstreamDefinition def = upstream(u);
                YamlValue earlier = upstreamNodes.putIfAbsent(def.name(), u);
                if (earlier != null) {
                    throw u.fields(UPSTREAM_KEYS).required("name").error(
                            "duplicate upstream name '" + def.name() + "' (first at line " + earlier.line() + ")");
                }
                upstreams.add(def);
            }
        }

        Map<String, YamlValue> defaults = defaultPolicies(top, policies);
        List<Route> routes = new ArrayList<>();
        Map<String, PipelineSpec> pipelines = new HashMap<>();
        Map<String, YamlValue> routeNodes = new HashMap<>();
        if (top.has("routes")) {
            for (YamlValue r : top.required("routes").sequence()) {
                RouteParser.Entry entry = RouteParser.route(r, upstreamNodes.keySet(), policies, defaults);
                Route route = entry.route();
                YamlValue earlier = routeNodes.putIfAbsent(route.id(), r);
                if (earlier != null) {
                    throw r.mapping().get("id").error(
                            "duplicate route id '" + route.id() + "' (first at line " + earlier.line() + ")");
                }
                routes.add(route);
                pipelines.put(route.id(), entry.pipeline());
            }
        }
        return new RoutesDocument(version, routes, upstreams, pipelines);
    }

    /**
     * {@code default-filters:} (policy key -> value) applies to every route that does not set the key;
     * {@code default-rate-limit:} is the older spelling of {@code default-filters.rate-limit}.
     */
    private static Map<String, YamlValue> defaultPolicies(YamlValue.Fields top, FilterRegistry policies)
            throws ConfigException {
        Map<String, YamlValue> defaults = new LinkedHashMap<>();
        if (top.has("default-filters")) {
            defaults.putAll(top.required("default-filters").mapping());
        }
        if (top.has("default-rate-limit")) {
            YamlValue v = top.required("default-rate-limit");
            if (defaults.containsKey(RateLimitFilterFactory.KEY)) {
                throw v.error("give either default-rate-limit or default-filters.rate-limit, not both");
            }
            defaults.put(RateLimitFilterFactory.KEY, v);
        }
        policies.checkDefaults(defaults);
        return defaults;

    }

    private static UpstreamDefinition upstream(YamlValue node) throws ConfigException {
        YamlValue.Fields f = node.fields(UPSTREAM_KEYS);
        YamlValue nameNode = f.required("name");
        String name = nameNode.string();
        if (!UPSTREAM_NAME.matcher(name).matches()) {
            throw nameNode.error("'" + name + "' is not a valid name (lower-case letters, digits, '-', '_', '.';"
                    + " starting with a letter or digit)");
        }
        LoadBalancerKind kind = LoadBalancerKind.ROUND_ROBIN;
        Optional<YamlValue> lbNode = f.optional("load-balancer");
        if (lbNode.isPresent()) {
            String lb = lbNode.get().string();
            kind = LoadBalancerKind.fromConfig(lb).orElseThrow(() -> lbNode.get().error(
                    "unknown load-balancer '" + lb + "' (valid: " + validBalancers() + ")"));
        }
        Optional<HashKeySpec> hashKey = Optional.empty();
        Optional<YamlValue> hashNode = f.optional("hash-key");
        if (kind == LoadBalancerKind.CONSISTENT_HASH) {
            if (hashNode.isEmpty()) {
                throw new ConfigException(node.source(), node.line(), node.path() + ".hash-key",
                        "is required with load-balancer: consistent-hash");
            }
            hashKey = Optional.of(hashKey(hashNode.get()));
        } else if (hashNode.isPresent()) {
            throw hashNode.get().error("is only valid with load-balancer: consistent-hash");
        }
        PeakEwmaSettings peakEwma = PeakEwmaSettings.DEFAULTS;
        Optional<YamlValue> ewmaNode = f.optional("peak-ewma");
        if (ewmaNode.isPresent()) {
            if (kind != LoadBalancerKind.PEAK_EWMA) {
                throw ewmaNode.get().error("is only valid with load-balancer: peak-ewma");
            }
            peakEwma = peakEwma(ewmaNode.get());
        }
        Optional<ClientTls> tls = f.has("tls") ? Optional.of(TlsConfigParser.upstream(f.required("tls")))
                : Optional.empty();
        if (f.has("consul")) {
            if (f.has("endpoints")) {
                throw f.required("consul").error("use either 'endpoints' or 'consul', not both");
            }
            return new UpstreamDefinition(name, List.of(), kind, hashKey, peakEwma, ResilienceParser.upstream(f),
                    Optional.of(consulService(f.required("consul"))), tls);
        }
        if (!f.has("endpoints")) {
            throw new ConfigException(node.source(), node.line(), node.path() + ".endpoints",
                    "is required (or 'consul: {service: NAME}' to discover endpoints in Consul)");
        }
        YamlValue endpointsNode = f.required("endpoints");
        List<YamlValue> items = endpointsNode.sequence();
        if (items.isEmpty()) {
            throw endpointsNode.error("must list at least one endpoint");
        }
        List<Endpoint> endpoints = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        Optional<String> firstScheme = Optional.empty();
        for (YamlValue e : items) {
            String scheme = scheme(e);
            if (firstScheme.isPresent() && !firstScheme.get().equals(scheme)) {
                throw e.error("mixes " + firstScheme.get() + " and " + scheme
                        + " endpoints; one upstream is either TLS or plain");
            }
            firstScheme = Optional.of(scheme);
            if (scheme.equals("http") && tls.isPresent()) {
                throw e.error("is http:// but the upstream has tls:; drop the scheme or use https://");
            }
            Endpoint ep = endpoint(e);
            Integer earlier = seen.putIfAbsent(ep.id(), e.line());
            if (earlier != null) {
                throw e.error("duplicate endpoint " + ep.id() + " (first at line " + earlier + ")");
            }
            endpoints.add(ep);
        }
        if (tls.isEmpty() && firstScheme.orElse("").equals("https")) {
            try {
                tls = Optional.of(ClientTls.load(ClientTlsSettings.defaults())); // the JDK's trust store, names checked
            } catch (TlsMaterialException ex) {
                throw endpointsNode.error(ex.getMessage());
            }
        }
        return new UpstreamDefinition(name, endpoints, kind, hashKey, peakEwma, ResilienceParser.upstream(f),
                Optional.empty(), tls);
    }

    /** {@code https}, {@code http} or empty (no scheme: plain unless the upstream has {@code tls:}). */
    private static String scheme(YamlValue node) throws ConfigException {
        YamlValue a = node.isMapping() ? node.fields(ENDPOINT_KEYS).required("address") : node;
        String text = a.isScalar() ? a.string().trim() : "";
        int sep = text.indexOf("://");
        return sep < 0 ? "" : text.substring(0, sep).toLowerCase(java.util.Locale.ROOT);
    }

    private static PeakEwmaSettings peakEwma(YamlValue node) throws ConfigException {
        YamlValue.Fields f = node.fields(PEAK_EWMA_KEYS);
        if (!f.has("decay-time")) {
            return PeakEwmaSettings.DEFAULTS;
        }
        YamlValue v = f.required("decay-time");
        Duration decay = v.duration();
        if (decay.compareTo(MIN_DECAY_TIME) < 0 || decay.compareTo(MAX_DECAY_TIME) > 0) {
            throw v.error("must be between " + Units.format(MIN_DECAY_TIME) + " and " + Units.format(MAX_DECAY_TIME)
                    + ", got " + Units.format(decay));
        }
        return new PeakEwmaSettings(decay);
    }

    private static ConsulService consulService(YamlValue node) throws ConfigException {
        YamlValue.Fields f = node.fields(CONSUL_KEYS);
        YamlValue serviceNode = f.required("service");
        String service = serviceNode.nonBlankString();
        if (!CONSUL_SERVICE.matcher(service).matches()) {
            throw serviceNode.error("'" + service + "' is not a valid Consul service name");
        }
        List<String> tags = new ArrayList<>();
        if (f.has("tags")) {
            for (YamlValue t : f.required("tags").sequence()) {
                tags.add(t.nonBlankString());
            }
        }
        boolean passingOnly = !f.has("passing-only") || f.required("passing-only").bool();
        return new ConsulService(service, tags, passingOnly);
    }

    private static HashKeySpec hashKey(YamlValue node) throws ConfigException {
        YamlValue.Fields f = node.fields(HASH_KEY_KEYS);
        int count = (f.has("header") ? 1 : 0) + (f.has("cookie") ? 1 : 0) + (f.has("client-ip") ? 1 : 0)
                + (f.has("session") ? 1 : 0);
        if (count != 1) {
            throw node.error("needs exactly one of header: NAME, cookie: NAME, session: true, client-ip: true");
        }
        if (f.has("session")) {
            YamlValue s = f.required("session");
            if (!s.bool()) {
                throw s.error("must be true (the id the route's session filter established)");
            }
            return HashKeySpec.session();
        }
        if (f.has("header")) {
            YamlValue h = f.required("header");
            String name = h.nonBlankString();
            if (!dev.loomgate.gateway.http.HttpTokens.isToken(name)) {
                throw h.error("'" + name + "' is not a valid header name");
            }
            return HashKeySpec.header(name);
        }
        if (f.has("cookie")) {
            return HashKeySpec.cookie(f.required("cookie").nonBlankString());
        }
        YamlValue ip = f.required("client-ip");
        if (!ip.bool()) {
            throw ip.error("must be true (or use header: / cookie:)");
        }
        return HashKeySpec.clientIp();
    }

    private static Endpoint endpoint(YamlValue node) throws ConfigException {
        YamlValue addressNode;
        int weight = 1;
        if (node.isScalar()) {
            addressNode = node;
        } else if (node.isMapping()) {
            YamlValue.Fields f = node.fields(ENDPOINT_KEYS);
            addressNode = f.required("address");
            if (f.has("weight")) {
                weight = f.required("weight").intIn(1, 1000);
            }
        } else {
            throw node.error("must be host:port or {address: host:port, weight: N}");
        }
        String address = addressNode.string().trim();
        int sep = address.indexOf("://");
        if (sep >= 0) {
            String scheme = address.substring(0, sep).toLowerCase(java.util.Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw addressNode.error("scheme must be http:// or https://, got " + scheme + "://");
            }
            address = address.substring(sep + 3);
            if (address.endsWith("/")) {
                address = address.substring(0, address.length() - 1);
            }
            if (address.contains("/")) {
                throw addressNode.error("an endpoint is scheme://host:port without a path (rewrite paths on the route)");
            }
            if (!address.matches(".*:[0-9]+")) {
                address = address + (scheme.equals("https") ? ":443" : ":80");
            }
        }
        try {
            return Endpoint.parse(address, weight);
        } catch (IllegalArgumentException e) {
            throw addressNode.error(e.getMessage());
        }
    }

    private static String validBalancers() {
        List<String> names = new ArrayList<>();
        for (LoadBalancerKind k : LoadBalancerKind.values()) {
            names.add(k.configName());
        }
        return String.join(", ", names);
    }

    /** Default version: the first 12 hex digits of the SHA-256 of the content. */
    static String contentVersion(String text) {
        return sha256Hex(text.getBytes(StandardCharsets.UTF_8)).substring(0, 12);
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }

    public static String decodeUtf8(byte[] bytes, String source) throws ConfigException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(source, 0, "", "not valid UTF-8");
        }
    }

    static Set<String> orderedSet(String... keys) {
        return java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(List.of(keys)));
    }
}
