package dev.loomgate.gateway.cache;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.loomgate.gateway.units.Units;

/**
 * One route's {@code cache:} options (docs/CACHE.md). Immutable; {@link #fromMap} rejects unknown keys with
 * "field: reason" errors.
 *
 * @param defaultTtl        freshness of a storable response that states none (no max-age, s-maxage, Expires);
 *                          0 (the default) stores only responses that state a lifetime
 * @param maxTtl            cap on any freshness lifetime (a far-future Expires cannot pin memory for a year)
 * @param maxObjectSize     larger bodies stream through uncached (never buffered beyond this)
 * @param query             how the query string enters the key
 * @param storeSetCookie    store responses carrying Set-Cookie (the stored copy never contains the cookie)
 * @param staleIfError      stale-if-error for responses that do not state one
 * @param collapse          whether concurrent misses wait for one upstream request (cluster-wide lease)
 * @param collapseWait      how long a waiting request waits for the leader's result before going upstream itself
 * @param maxVary           more Vary headers than this: not stored (hostile or unusual upstream)
 */
public record CacheSettings(Duration defaultTtl, Duration maxTtl, long maxObjectSize, QueryMode query,
                            boolean storeSetCookie, Duration staleIfError, boolean collapse, Duration collapseWait,
                            int maxVary) {
    public static final Duration DEFAULT_MAX_TTL = Duration.ofHours(24);
    public static final long DEFAULT_MAX_OBJECT_SIZE = 1L << 20;
    public static final Duration DEFAULT_COLLAPSE_WAIT = Duration.ofSeconds(3);
    public static final int DEFAULT_MAX_VARY = 8;
    private static final Set<String> KEYS = Set.of("default-ttl", "max-ttl", "max-object-size", "query",
            "store-set-cookie", "stale-if-error", "collapse", "collapse-wait", "max-vary");

    public enum QueryMode {
        /** the query as sent */
        INCLUDE,
        /** no query in the key: {@code /a?x=1} and {@code /a?y=2} share an entry */
        IGNORE,
        /** parameters sorted, so {@code ?a=1&b=2} and {@code ?b=2&a=1} share an entry */
        SORTED
    }

    public static CacheSettings defaults() {
        return new CacheSettings(Duration.ZERO, DEFAULT_MAX_TTL, DEFAULT_MAX_OBJECT_SIZE, QueryMode.INCLUDE, false,
                Duration.ZERO, true, DEFAULT_COLLAPSE_WAIT, DEFAULT_MAX_VARY);
    }

    public static CacheSettings fromMap(Map<String, Object> map) {
        for (String key : map.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(key + ": unknown key (expected one of " + String.join(", ",
                        KEYS.stream().sorted().toList()) + ")");
            }
        }
        CacheSettings d = defaults();
        Duration defaultTtl = duration(map, "default-ttl", d.defaultTtl);
        Duration maxTtl = duration(map, "max-ttl", d.maxTtl);
        if (maxTtl.isZero()) {
            throw new IllegalArgumentException("max-ttl: must be > 0");
        }
        long maxObject = d.maxObjectSize;
        if (map.get("max-object-size") != null) {
            maxObject = Units.size(text(map, "max-object-size"));
            if (maxObject <= 0 || maxObject > 64L << 20) {
                throw new IllegalArgumentException("max-object-size: must be between 1 byte and 64MiB");
            }
        }
        QueryMode query = d.query;
        if (map.get("query") != null) {
            String q = text(map, "query").strip().toUpperCase(Locale.ROOT);
            try {
                query = QueryMode.valueOf(q);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("query: expected include, ignore or sorted, got '" + q + "'");
            }
        }
        int maxVary = d.maxVary;
        if (map.get("max-vary") != null) {
            try {
                maxVary = Integer.parseInt(text(map, "max-vary").strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("max-vary: expected a number");
            }
            if (maxVary < 0 || maxVary > 32) {
                throw new IllegalArgumentException("max-vary: must be between 0 and 32");
            }
        }
        return new CacheSettings(defaultTtl, maxTtl, maxObject, query, bool(map, "store-set-cookie", false),
                duration(map, "stale-if-error", d.staleIfError), bool(map, "collapse", true),
                duration(map, "collapse-wait", d.collapseWait), maxVary);
    }

    private static String text(Map<String, Object> map, String key) {
        if (!(map.get(key) instanceof String s)) {
            throw new IllegalArgumentException(key + ": expected a scalar");
        }
        return s;
    }

    private static Duration duration(Map<String, Object> map, String key, Duration fallback) {
        if (map.get(key) == null) {
            return fallback;
        }
        try {
            return Units.duration(text(map, key));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
    }

    private static boolean bool(Map<String, Object> map, String key, boolean fallback) {
        if (map.get(key) == null) {
            return fallback;
        }
        return switch (text(map, key).strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + ": expected true or false");
        };
    }
}
