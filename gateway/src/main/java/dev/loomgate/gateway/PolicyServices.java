package dev.loomgate.gateway;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntSupplier;

import dev.loomgate.gateway.async.AsyncService;
import dev.loomgate.gateway.cache.ResponseCache;
import dev.loomgate.gateway.cache.SharedCacheStore;
import dev.loomgate.gateway.config.NodeConfig;
import dev.loomgate.gateway.observe.GatewayMetrics;
import dev.loomgate.gateway.pipeline.NodeServices;
import dev.loomgate.gateway.policy.apikey.ApiKeyDirectory;
import dev.loomgate.gateway.policy.async.AsyncRoutes;
import dev.loomgate.gateway.policy.introspection.IntrospectionCache;
import dev.loomgate.gateway.policy.introspection.RedisIntrospectionStore;
import dev.loomgate.gateway.policy.introspection.SharedIntrospectionStore;
import dev.loomgate.gateway.policy.jwt.KeySets;
import dev.loomgate.gateway.policy.ratelimit.RateLimitService;
import dev.loomgate.gateway.policy.session.SessionService;
import dev.loomgate.gateway.redis.RedisCacheStore;
import dev.loomgate.gateway.redis.jobs.RedisJobQueue;
import dev.loomgate.gateway.saga.SagaService;
import dev.loomgate.gateway.trace.Tracing;
import dev.loomgate.gateway.upstream.Upstream;

/**
 * The long-lived services that filters and terminal steps use (handed to them as {@link NodeServices}): rate
 * limits, JWKS key sets, introspection answers, API keys, sessions, the response cache, and with {@code redis:} the
 * async job service and the saga engine. Most of them hold a Redis pool of their own; this class opens them in one
 * place and closes them in one place, so GatewayNode only wires listeners around them.
 */
final class PolicyServices {
    /** Blocking stream reads hold a connection each: the job queue gets its own pool. */
    private static final int ASYNC_POOL = 64;
    /** How often every node looks for sagas whose owner's lease ran out. */
    private static final Duration SAGA_RECOVERY_SCAN = Duration.ofMillis(250);

    private final RateLimitService rateLimits;
    /** JWKS key caches and introspection results outlive routes versions: a reload refetches nothing. */
    private final KeySets keySets = new KeySets();
    private final IntrospectionCache introspectionCache;
    /** Introspection answers shared through Redis, on a small pool of its own (the rate limiter keeps its pool). */
    private final Optional<RedisIntrospectionStore> introspectionRedis;
    private final ApiKeyDirectory apiKeys;
    /** Server-side sessions in Redis (docs/SESSIONS.md), on a pool of their own. */
    private final SessionService sessions;
    /** The response cache: L1 here, L2 and invalidations on Redis when configured (docs/CACHE.md). */
    private final ResponseCache responseCache;
    /** Async routes' jobs and workers; present when the node has {@code redis:}. */
    private final Optional<AsyncService> async;
    /** Composite routes' saga engine (docs/SAGAS.md); only with Redis, which holds the saga log. */
    private final Optional<SagaService> sagas;

    /**
     * Opens every service the config asks for.
     *
     * @param liveNodes how many nodes share the rate limits right now
     * @param upstreams the saga engine's view of the current routing snapshot's upstreams (read lazily)
     */
    PolicyServices(NodeConfig config, IntSupplier liveNodes, Tracing tracing,
                   Function<String, Optional<Upstream>> upstreams) {
        this.rateLimits = config.redis().map(r -> RateLimitService.open(r, liveNodes, config.rateLimiter(), tracing))
                .orElseGet(() -> RateLimitService.local(liveNodes, config.rateLimiter()));
        this.introspectionRedis = config.redis().map(RedisIntrospectionStore::open);
        this.introspectionCache = new IntrospectionCache(IntrospectionCache.DEFAULT_MAX_ENTRIES,
                introspectionRedis.map(SharedIntrospectionStore.class::cast));
        this.sessions = SessionService.open(config.redis());
        this.responseCache = new ResponseCache(ResponseCache.DEFAULT_L1_BYTES,
                config.redis().map(r -> (SharedCacheStore) RedisCacheStore.open(r)), config.node().id(),
                System::currentTimeMillis);
        this.apiKeys = config.consul().isPresent() ? ApiKeyDirectory.fedByConsul() : ApiKeyDirectory.none();
        // async routes need the job broker: Redis (docs/ASYNC.md); without redis: the async key rejects the routes
        this.async = config.redis().map(r -> new AsyncService(RedisJobQueue.open(r, ASYNC_POOL), config.node().id()));
        this.sagas = config.redis().map(r -> SagaService.open(config.node().id(), r, upstreams, SAGA_RECOVERY_SCAN));
    }

    /** The services by type, as filters and terminal steps ask for them. */
    NodeServices nodeServices() {
        NodeServices.Builder services = NodeServices.builder().add(RateLimitService.class, rateLimits)
                .add(KeySets.class, keySets).add(IntrospectionCache.class, introspectionCache)
                .add(ApiKeyDirectory.class, apiKeys).add(SessionService.class, sessions)
                .add(ResponseCache.class, responseCache);
        async.ifPresent(a -> services.add(AsyncRoutes.class, a));
        sagas.ifPresent(s -> services.add(SagaService.class, s));
        return services.build();
    }

    /** Rate-limit, session, cache and saga metrics (the async service's are added with the proxy's). */
    void addMetricSources(GatewayMetrics metrics) {
        metrics.addSource(rateLimits::writeMetrics);
        metrics.addSource(sessions::writeMetrics);
        metrics.addSource(responseCache::writeMetrics);
        sagas.ifPresent(s -> metrics.addSource(s::writeMetrics));
    }

    RateLimitService rateLimits() {
        return rateLimits;
    }

    IntrospectionCache introspectionCache() {
        return introspectionCache;
    }

    ApiKeyDirectory apiKeys() {
        return apiKeys;
    }

    SessionService sessions() {
        return sessions;
    }

    ResponseCache responseCache() {
        return responseCache;
    }

    Optional<AsyncService> async() {
        return async;
    }

    Optional<SagaService> sagas() {
        return sagas;
    }

    /** Stops the job workers; called before the admin listener and the upstream client stop. */
    void closeWorkers() {
        async.ifPresent(AsyncService::close);
    }

    /** Closes the rest, after the listeners and the upstream client. */
    void close() {
        rateLimits.close();
        sagas.ifPresent(SagaService::close);
        keySets.close();
        introspectionCache.close();
        introspectionRedis.ifPresent(RedisIntrospectionStore::close);
        sessions.close();
        responseCache.close();
    }
}
