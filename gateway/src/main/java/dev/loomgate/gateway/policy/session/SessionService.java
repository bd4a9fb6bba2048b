package dev.loomgate.gateway.policy.session;

import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

import dev.loomgate.gateway.observe.PrometheusText;
import dev.loomgate.gateway.redis.RedisSessionStore;
import dev.loomgate.gateway.redis.SessionCacheStats;
import dev.loomgate.gateway.redis.RedisSettings;

/**
 * The node's session store (Redis; absent without a {@code redis:} block, then session routes answer per their
 * {@code on-redis-down}) and the session counters, shared by every route's {@code session} filter.
 */
public final class SessionService implements AutoCloseable {
    private final Optional<RedisSessionStore> store;
    final LongAdder created = new LongAdder();
    final LongAdder rotatedLogin = new LongAdder();
    final LongAdder rotatedExplicit = new LongAdder();
    final LongAdder rotatedRenewal = new LongAdder();
    final LongAdder cookieRejected = new LongAdder();
    final LongAdder expiredIdle = new LongAdder();
    final LongAdder expiredAbsolute = new LongAdder();
    final LongAdder expiredRolling = new LongAdder();
    final LongAdder unknown = new LongAdder();
    final LongAdder redisErrors = new LongAdder();
    final LongAdder logins = new LongAdder();
    final LongAdder loginFailures = new LongAdder();
    final LongAdder refreshes = new LongAdder();
    final LongAdder refreshFailures = new LongAdder();
    final LongAdder logouts = new LongAdder();

    private SessionService(Optional<RedisSessionStore> store) {
        this.store = store;
    }

    public static SessionService open(Optional<RedisSettings> redis) {
        return new SessionService(redis.map(RedisSessionStore::open));
    }

    Optional<RedisSessionStore> store() {
        return store;
    }

    void expired(String reason) {
        switch (reason) {
            case "idle" -> expiredIdle.increment();
            case "absolute" -> expiredAbsolute.increment();
            case "rolling" -> expiredRolling.increment();
            default -> unknown.increment();
        }
    }

    public long createdCount() {
        return created.sum();
    }

    public long redisErrorCount() {
        return redisErrors.sum();
    }

    public void writeMetrics(PrometheusText p) {
        p.help("loomgate_session_created_total", "counter", "Server-side sessions created.");
        p.sample("loomgate_session_created_total", "", created.sum());
        p.help("loomgate_session_rotated_total", "counter", "Session ids rotated, by reason.");
        p.sample("loomgate_session_rotated_total", "reason=\"login\"", rotatedLogin.sum());
        p.sample("loomgate_session_rotated_total", "reason=\"explicit\"", rotatedExplicit.sum());
        p.sample("loomgate_session_rotated_total", "reason=\"renewal\"", rotatedRenewal.sum());
        p.help("loomgate_session_cookie_rejected_total", "counter",
                "Session cookies refused: tampered, truncated, oversized or signed with an unknown key.");
        p.sample("loomgate_session_cookie_rejected_total", "", cookieRejected.sum());
        p.help("loomgate_session_expired_total", "counter",
                "Requests whose session had timed out (or was unknown), by timeout.");
        p.sample("loomgate_session_expired_total", "timeout=\"idle\"", expiredIdle.sum());
        p.sample("loomgate_session_expired_total", "timeout=\"absolute\"", expiredAbsolute.sum());
        p.sample("loomgate_session_expired_total", "timeout=\"rolling\"", expiredRolling.sum());
        p.sample("loomgate_session_expired_total", "timeout=\"unknown\"", unknown.sum());
        p.help("loomgate_session_redis_errors_total", "counter", "Session store operations Redis did not answer.");
        p.sample("loomgate_session_redis_errors_total", "", redisErrors.sum());
        SessionCacheStats cs = store.map(RedisSessionStore::cacheStats).orElse(SessionCacheStats.NONE);
        p.help("loomgate_session_client_cache_total", "counter",
                "Client-side session cache (Redis-tracked): hits, misses, invalidations received, whole-cache flushes.");
        p.sample("loomgate_session_client_cache_total", "event=\"hit\"", cs.hits());
        p.sample("loomgate_session_client_cache_total", "event=\"miss\"", cs.misses());
        p.sample("loomgate_session_client_cache_total", "event=\"invalidation\"", cs.invalidations());
        p.sample("loomgate_session_client_cache_total", "event=\"flush\"", cs.flushes());
        p.help("loomgate_session_client_cache_armed", "gauge",
                "1 while Redis tracking is armed on the current master and the cache may serve reads.");
        p.sample("loomgate_session_client_cache_armed", "", cs.armed() ? 1 : 0);
        p.help("loomgate_session_oidc_total", "counter", "OIDC login events of session routes.");
        p.sample("loomgate_session_oidc_total", "event=\"login\"", logins.sum());
        p.sample("loomgate_session_oidc_total", "event=\"login-failed\"", loginFailures.sum());
        p.sample("loomgate_session_oidc_total", "event=\"refresh\"", refreshes.sum());
        p.sample("loomgate_session_oidc_total", "event=\"refresh-failed\"", refreshFailures.sum());
        p.sample("loomgate_session_oidc_total", "event=\"logout\"", logouts.sum());
    }

    @Override
    public void close() {
        store.ifPresent(RedisSessionStore::close);
    }
}
