package dev.loomgate.gateway.config;

import dev.loomgate.gateway.yaml.ConfigValues;

import dev.loomgate.gateway.yaml.YamlValue;
import dev.loomgate.gateway.yaml.ConfigException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.loomgate.gateway.ratelimit.RateLimitPolicy;
import dev.loomgate.gateway.ratelimit.RateLimitPolicyParser;
import dev.loomgate.gateway.redis.RedisSettings;

/**
 * Bridges the rate-limit and Redis parsers (which read plain {@code Map}s and fail with
 * {@code IllegalArgumentException("field: reason")}) to the config package: YAML nodes in, {@link ConfigException}s
 * with the full field path and the line of the offending value out.
 */
final class RateLimitConfig {
    /** Policy id of the routes file's {@code default-rate-limit}. */
    static final String DEFAULT_POLICY_ID = "default";
    private static final Pattern FIELD_ERROR = Pattern.compile("([A-Za-z0-9_\\-.\\[\\]]+): (.*)", Pattern.DOTALL);
    private static final Pattern SEGMENT = Pattern.compile("([^.\\[\\]]+)|\\[(\\d+)]");

    private RateLimitConfig() {
    }

    /**
     * A route's {@code rate-limit} (or the top-level {@code default-rate-limit}): a policy mapping, or {@code off} /
     * {@code false} to opt out of the default. Empty means "explicitly off".
     */
    static Optional<RateLimitPolicy> policy(YamlValue node, String policyId) throws ConfigException {
        if (node.isScalar()) {
            String text = node.string().strip();
            if (text.equalsIgnoreCase("off") || text.equalsIgnoreCase("false") || text.equalsIgnoreCase("no")) {
                return Optional.empty();
            }
            throw node.error("expected a rate-limit mapping (key, limits, ...) or 'off', got '" + text + "'");
        }
        if (!node.isMapping()) {
            throw node.error("expected a rate-limit mapping (key, limits, ...) or 'off'");
        }
        Map<String, Object> map = mapping(node);
        try {
            return Optional.of(RateLimitPolicyParser.parse(policyId, map, ""));
        } catch (IllegalArgumentException e) {
            throw located(node, "", e);
        }
    }

    /** The node config's {@code redis:} block. */
    static RedisSettings redis(YamlValue node) throws ConfigException {
        Map<String, Object> map = mapping(node);
        try {
            return RedisSettings.fromMap(map);
        } catch (IllegalArgumentException e) {
            throw located(node, "redis.", e);
        }
    }

    /** A route id made safe for Redis key names (policy ids allow {@code A-Z a-z 0-9 . _ / -}, up to 100). */
    static String policyIdFor(String routeId) {
        StringBuilder sb = new StringBuilder(Math.min(routeId.length(), 100));
        for (int i = 0; i < routeId.length() && sb.length() < 100; i++) {
            char c = routeId.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '/' || c == '-';
            sb.append(ok ? c : '_');
        }
        return sb.isEmpty() ? "route" : sb.toString();
    }

    private static Map<String, Object> mapping(YamlValue node) throws ConfigException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, YamlValue> e : node.mapping().entrySet()) {
            out.put(e.getKey(), plain(e.getValue()));
        }
        return out;
    }

    /** Scalars stay text: the engine's ConfigValues parses numbers, booleans and durations from strings. */
    private static Object plain(YamlValue v) throws ConfigException {
        if (v.isMapping()) {
            return mapping(v);
        }
        if (v.isSequence()) {
            List<Object> list = new ArrayList<>();
            for (YamlValue item : v.sequence()) {
                list.add(plain(item));
            }
            return list;
        }
        return v.isScalar() ? v.string() : null;
    }

    /**
     * Turns {@code "limits[0].limit: must be > 0"} into a ConfigException at the line of {@code limits[0].limit}
     * under {@code node}, or of the nearest enclosing value that exists.
     */
    private static ConfigException located(YamlValue node, String stripPrefix, IllegalArgumentException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        Matcher m = FIELD_ERROR.matcher(message);
        if (!m.matches()) {
            return node.error(message, e);
        }
        String field = m.group(1);
        if (field.startsWith(stripPrefix)) {
            field = field.substring(stripPrefix.length());
        }
        YamlValue at = node;
        Matcher seg = SEGMENT.matcher(field);
        try {
            while (seg.find()) {
                Optional<YamlValue> next = Optional.empty();
                if (seg.group(1) != null && at.isMapping()) {
                    next = Optional.ofNullable(at.mapping().get(seg.group(1)));
                } else if (seg.group(2) != null && at.isSequence()) {
                    int i = Integer.parseInt(seg.group(2));
                    List<YamlValue> items = at.sequence();
                    next = i < items.size() ? Optional.of(items.get(i)) : Optional.empty();
                }
                if (next.isEmpty()) {
                    break;
                }
                at = next.get();
            }
        } catch (ConfigException | NumberFormatException ignored) {
            // keep the deepest node found
        }
        String path = node.path().isEmpty() ? field : node.path() + (field.startsWith("[") ? "" : ".") + field;
        return new ConfigException(node.source(), at.line(), path, m.group(2), e);
    }
}
