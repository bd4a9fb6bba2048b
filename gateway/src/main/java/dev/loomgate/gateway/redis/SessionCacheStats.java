package dev.loomgate.gateway.redis;

/** The client-side session cache's counters (all zero when no load asked for the cache; see {@link SessionCache}). */
public record SessionCacheStats(boolean armed, long hits, long misses, long invalidations, long flushes) {
    public static final SessionCacheStats NONE = new SessionCacheStats(false, 0, 0, 0, 0);

    static SessionCacheStats of(SessionCache c) {
        return new SessionCacheStats(c.armed(), c.hits.sum(), c.misses.sum(), c.invalidations.sum(), c.flushes.sum());
    }
}
