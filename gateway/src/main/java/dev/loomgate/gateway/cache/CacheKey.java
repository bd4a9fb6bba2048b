package dev.loomgate.gateway.cache;

/**
 * One request's primary key: the raw text (route, generation, method, host, path, query) that L1 is keyed by, and its
 * SHA-256 ({@link #primary()}) that Redis keys, leases and invalidation messages use. The hash is computed only when
 * L2 is needed, so an L1 hit costs no digest. Used by one request's thread.
 */
public final class CacheKey {
    private final String routeId;
    private final String raw;
    private String primary;

    private CacheKey(String routeId, String raw) {
        this.routeId = routeId;
        this.raw = raw;
    }

    public static CacheKey of(String routeId, long generation, String method, String host, String path,
                              String rawQuery, CacheSettings.QueryMode mode) {
        return new CacheKey(routeId, CacheKeys.raw(routeId, generation, method, host, path, rawQuery, mode));
    }

    public String routeId() {
        return routeId;
    }

    String raw() {
        return raw;
    }

    /** The fixed-size key shared by all nodes. */
    public String primary() {
        if (primary == null) {
            primary = CacheKeys.sha256(raw);
        }
        return primary;
    }
}
