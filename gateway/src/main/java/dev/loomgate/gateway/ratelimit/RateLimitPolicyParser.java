package dev.loomgate.gateway.ratelimit;

import dev.loomgate.gateway.redis.TreeValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a {@link RateLimitPolicy} from parsed YAML:
 * <pre>
 * rate-limit:
 *   key: header:X-Api-Key          # client-ip | header:NAME | cookie:NAME | path:NAME | consumer | route
 *   trusted-hops: 1                # client-ip only: proxies in front that append to X-Forwarded-For
 *   limits:
 *     - { limit: 10, per: 1s, burst: 20 }
 *     - { limit: 1000, per: 1h }
 *   on-redis-failure: local        # local (default) | fail-open | fail-closed
 *   sync: reserving                # reserving (default) | batching | none | delaying
 *   max-unsynchronized-tokens: 50  # delaying only
 *   max-unsynchronized-time: 100ms # delaying only (default 100ms)
 * </pre>
 * The single-limit short form {@code { key: …, limit: 100, per: 1s, burst: 200 }} is accepted too. Errors are
 * {@link IllegalArgumentException}s with {@code "<prefix>field: reason"} text.
 */
public final class RateLimitPolicyParser {
    /** {@code max-unsynchronized-time} of {@code sync: delaying} when not given. */
    public static final Duration DEFAULT_MAX_UNSYNCHRONIZED_TIME = Duration.ofMillis(100);
    /** {@code trusted-hops} of {@code key: client-ip} when not given: the node's client address. */
    public static final int DEFAULT_TRUSTED_HOPS = 0;
    public static final FailureMode DEFAULT_ON_REDIS_FAILURE = FailureMode.LOCAL;
    public static final String DEFAULT_SYNC = "reserving";
    /** Keys of a policy mapping (the short form's {@code limit}, {@code per}, {@code burst} included). */
    public static final List<String> KEYS = List.of("key", "trusted-hops", "limits", "limit", "per", "burst",
            "on-redis-failure", "sync", "max-unsynchronized-tokens", "max-unsynchronized-time");
    /** Keys of one {@code limits[]} entry. */
    public static final List<String> LIMIT_KEYS = List.of("limit", "per", "burst");

    private RateLimitPolicyParser() {
    }

    /** Parses with field names as given (no prefix). */
    public static RateLimitPolicy parse(String policyId, Map<String, ?> map) {
        return parse(policyId, map, "");
    }

    /** {@code fieldPrefix} is prepended to field names in errors, e.g. {@code "routes[2].rate-limit."}. */
    public static RateLimitPolicy parse(String policyId, Map<String, ?> map, String fieldPrefix) {
        String p = fieldPrefix;
        TreeValues.rejectUnknownKeys(map, p, KEYS);
        String keyText = TreeValues.string(map, "key", p + "key")
                .orElseThrow(() -> TreeValues.error(p + "key", "required (client-ip, consumer, header:NAME, cookie:NAME, "
                        + "path:NAME or route)"));
        KeySource key = keySource(keyText, map, p);

        List<Bandwidth> bandwidths = new ArrayList<>();
        Optional<List<?>> limits = TreeValues.list(map, "limits", p + "limits");
        boolean shortForm = map.containsKey("limit") || map.containsKey("per") || map.containsKey("burst");
        if (limits.isPresent() && shortForm) {
            throw TreeValues.error(p + "limits", "give either limits: [...] or limit/per/burst, not both");
        }
        if (limits.isPresent()) {
            if (limits.get().isEmpty()) {
                throw TreeValues.error(p + "limits", "at least one limit is required");
            }
            for (int i = 0; i < limits.get().size(); i++) {
                String field = p + "limits[" + i + "]";
                if (!(limits.get().get(i) instanceof Map<?, ?> raw)) {
                    throw TreeValues.error(field, "expected { limit: N, per: DURATION, burst: N }, got "
                            + TreeValues.describe(limits.get().get(i)));
                }
                bandwidths.add(bandwidth(asStringMap(raw, field), field + "."));
            }
        } else if (shortForm) {
            bandwidths.add(bandwidth(map, p));
        } else {
            throw TreeValues.error(p + "limits", "required: a list of { limit: N, per: DURATION }");
        }

        FailureMode onFailure = TreeValues.string(map, "on-redis-failure", p + "on-redis-failure")
                .map(text -> switch (text.toLowerCase(Locale.ROOT)) {
                    case "local" -> FailureMode.LOCAL;
                    case "fail-open" -> FailureMode.FAIL_OPEN;
                    case "fail-closed" -> FailureMode.FAIL_CLOSED;
                    default -> throw TreeValues.error(p + "on-redis-failure",
                            "expected local, fail-open or fail-closed, got '" + text + "'");
                })
                .orElse(DEFAULT_ON_REDIS_FAILURE);

        Synchronization sync = synchronization(map, p);
        try {
            return new RateLimitPolicy(policyId, bandwidths, key, onFailure, sync);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(p + e.getMessage(), e);
        }
    }

    private static KeySource keySource(String text, Map<String, ?> map, String p) {
        Optional<Long> hops = TreeValues.integer(map, "trusted-hops", p + "trusted-hops");
        int colon = text.indexOf(':');
        String type = (colon < 0 ? text : text.substring(0, colon)).strip().toLowerCase(Locale.ROOT);
        String name = colon < 0 ? "" : text.substring(colon + 1).strip();
        if (hops.isPresent() && !type.equals("client-ip")) {
            throw TreeValues.error(p + "trusted-hops", "only applies to key client-ip, not '" + text + "'");
        }
        KeySource source = switch (type) {
            case "consumer" -> {
                if (!name.isEmpty()) {
                    throw TreeValues.error(p + "key", "'consumer' takes no name, got '" + text + "'");
                }
                yield new KeySource.Consumer();
            }
            case "client-ip", "route" -> {
                if (!name.isEmpty()) {
                    throw TreeValues.error(p + "key", "'" + type + "' takes no name, got '" + text + "'");
                }
                if (type.equals("route")) {
                    yield new KeySource.Route();
                }
                long h = hops.orElse((long) DEFAULT_TRUSTED_HOPS);
                if (h < 0 || h > 16) {
                    throw TreeValues.error(p + "trusted-hops", "must be in 0..16, got " + h);
                }
                yield new KeySource.ClientIp((int) h);
            }
            case "header", "cookie", "path" -> {
                if (name.isEmpty()) {
                    throw TreeValues.error(p + "key", "'" + type + "' needs a name, e.g. " + type + ":X-Api-Key");
                }
                yield switch (type) {
                    case "header" -> new KeySource.Header(name);
                    case "cookie" -> new KeySource.Cookie(name);
                    default -> new KeySource.PathVariable(name);
                };
            }
            default -> throw TreeValues.error(p + "key", "unknown key type '" + type
                    + "' (expected client-ip, header:NAME, cookie:NAME, path:NAME, consumer or route)");
        };
        return source;
    }

    private static Bandwidth bandwidth(Map<String, ?> map, String p) {
        if (map != null && !map.containsKey("key")) {
            TreeValues.rejectUnknownKeys(map, p, LIMIT_KEYS);
        }
        long limit = TreeValues.integer(map, "limit", p + "limit")
                .orElseThrow(() -> TreeValues.error(p + "limit", "required: requests per period"));
        if (limit <= 0) {
            throw TreeValues.error(p + "limit", "must be > 0, got " + limit);
        }
        Duration per = TreeValues.period(map, "per", p + "per")
                .orElseThrow(() -> TreeValues.error(p + "per", "required: a period such as 1s, 1m, 1h"));
        if (per.isZero() || per.isNegative()) {
            throw TreeValues.error(p + "per", "must be a positive duration, got " + map.get("per"));
        }
        long burst = TreeValues.integer(map, "burst", p + "burst").orElse(limit);
        if (burst <= 0) {
            throw TreeValues.error(p + "burst", "must be > 0, got " + burst);
        }
        try {
            return new Bandwidth(limit, per, burst);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(p + e.getMessage(), e);
        }
    }

    private static Synchronization synchronization(Map<String, ?> map, String p) {
        String sync = TreeValues.string(map, "sync", p + "sync").orElse(DEFAULT_SYNC).toLowerCase(Locale.ROOT);
        Optional<Long> tokens = TreeValues.integer(map, "max-unsynchronized-tokens", p + "max-unsynchronized-tokens");
        Optional<Duration> time = TreeValues.duration(map, "max-unsynchronized-time", p + "max-unsynchronized-time");
        if (!sync.equals("delaying") && (tokens.isPresent() || time.isPresent())) {
            throw TreeValues.error(p + "max-unsynchronized-tokens", "only applies to sync: delaying");
        }
        return switch (sync) {
            case "reserving" -> Synchronization.RESERVING;
            case "batching" -> Synchronization.BATCHING;
            case "none" -> Synchronization.NONE;
            case "delaying" -> {
                long n = tokens.orElseThrow(() -> TreeValues.error(p + "max-unsynchronized-tokens",
                        "required with sync: delaying"));
                if (n <= 0) {
                    throw TreeValues.error(p + "max-unsynchronized-tokens", "must be > 0, got " + n);
                }
                Duration t = time.orElse(DEFAULT_MAX_UNSYNCHRONIZED_TIME);
                if (t.isZero() || t.isNegative()) {
                    throw TreeValues.error(p + "max-unsynchronized-time", "must be > 0, got " + t);
                }
                yield new Synchronization.Delaying(n, t);
            }
            default -> throw TreeValues.error(p + "sync", "expected reserving, batching, none or delaying, got '" + sync + "'");
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> asStringMap(Map<?, ?> raw, String field) {
        for (Object k : raw.keySet()) {
            if (!(k instanceof String)) {
                throw TreeValues.error(field, "keys must be strings, got " + TreeValues.describe(k));
            }
        }
        return (Map<String, ?>) raw;
    }
}
