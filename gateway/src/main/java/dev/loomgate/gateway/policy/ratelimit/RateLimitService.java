package dev.loomgate.gateway.policy.ratelimit;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.logging.Logger;

import dev.loomgate.gateway.trace.Tracing;
import dev.loomgate.gateway.observe.PrometheusText;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.ratelimit.LocalRateLimiter;
import dev.loomgate.gateway.ratelimit.RateLimitDecision;
import dev.loomgate.gateway.ratelimit.RateLimitMetrics;
import dev.loomgate.gateway.ratelimit.RateLimitPolicy;
import dev.loomgate.gateway.ratelimit.RateLimiter;
import dev.loomgate.gateway.ratelimit.RateLimiterOptions;
import dev.loomgate.gateway.redis.RedisConnections;
import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.http.RequestView;
import dev.loomgate.gateway.route.RouteMatch;

/**
 * The node's rate-limit engine, shared by every route's {@code rate-limit} filter ({@link RateLimitFilterFactory}):
 * resolve the request's key under the route's policy and take a token. Cluster-wide through Redis when the node has a
 * {@code redis:} block, otherwise with node-local buckets (each holding 1/live-nodes of the limit).
 *
 * <p>A request that lacks the key's part (no such header, cookie or path variable) is counted under one shared
 * per-route "anonymous" bucket, so leaving the API key out never escapes the limit.
 */
public final class RateLimitService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RateLimitService.class.getName());
    /** Key of requests without the key's part; LF cannot occur in a header, cookie or decoded-path-variable value. */
    static final String ANONYMOUS_KEY = "\n-anonymous";

    @FunctionalInterface
    interface Decider {
        RateLimitDecision tryAcquire(RateLimitPolicy policy, String routeId, String key);
    }

    record Counters(LongAdder allowed, LongAdder limited) {
        Counters() {
            this(new LongAdder(), new LongAdder());
        }
    }

    record RouteAndPolicy(String route, String policy) {
    }

    private final Decider decider;
    private final RateLimitMetrics engineMetrics;
    private final Optional<RedisConnections> redis;
    private final Optional<RateLimiter> limiter;
    private final ConcurrentHashMap<RouteAndPolicy, Counters> counters = new ConcurrentHashMap<>();
    private final LongAdder anonymous = new LongAdder();
    private final AtomicBoolean warnedLocal = new AtomicBoolean();

    /** Node-local buckets. */
    private RateLimitService(LocalRateLimiter local, RateLimitMetrics engineMetrics) {
        this.decider = local::tryAcquire;
        this.engineMetrics = engineMetrics;
        this.redis = Optional.empty();
        this.limiter = Optional.empty();
    }

    /** Shared buckets in Redis. */
    private RateLimitService(RedisConnections redis, RateLimiter limiter, RateLimitMetrics engineMetrics) {
        this.decider = limiter::tryAcquire;
        this.engineMetrics = engineMetrics;
        this.redis = Optional.of(redis);
        this.limiter = Optional.of(limiter);
    }

    /**
     * Opens the Redis pool and the limiter (never fails: an unreachable Redis means a degraded start that recovers
     * on its own). {@code liveNodes} is asked on every fallback decision, so a registry can change it at run time.
     */
    public static RateLimitService open(RedisSettings redis, IntSupplier liveNodes, RateLimiterOptions options) {
        return open(redis, liveNodes, options, Tracing.off());
    }

    /** As above; the Redis calls of sampled requests become spans. */
    public static RateLimitService open(RedisSettings redis, IntSupplier liveNodes, RateLimiterOptions options,
                                        Tracing tracing) {
        RateLimitMetrics metrics = new RateLimitMetrics();
        RedisConnections connections = RedisConnections.open(redis);
        return new RateLimitService(connections, RateLimiter.create(connections, options, liveNodes, metrics, tracing),
                metrics);
    }

    /** Node-local buckets (a node without a {@code redis:} block): each holds 1/live-nodes of the limit. */
    public static RateLimitService local(IntSupplier liveNodes, RateLimiterOptions options) {
        RateLimitMetrics metrics = new RateLimitMetrics();
        return new RateLimitService(new LocalRateLimiter(liveNodes, options.maxCachedBuckets(), metrics), metrics);
    }

    /**
     * Takes a token for this request under the route's policy: write the decision's headers; when not allowed
     * answer with {@link #problem}. Never throws because of Redis.
     */
    public RateLimitDecision check(RateLimitPolicy p, RouteMatch match, RequestView request) {
        return check(p, match, request, "");
    }

    /**
     * As {@link #check(RateLimitPolicy, RouteMatch, RequestView)}, for a request an authentication filter admitted
     * as {@code consumer} (empty: none), which {@code key: consumer} uses.
     */
    public RateLimitDecision check(RateLimitPolicy p, RouteMatch match, RequestView request, String consumer) {
        if (redis.isEmpty() && warnedLocal.compareAndSet(false, true)) {
            LOG.warning(() -> "route '" + match.route().id() + "' has a rate limit but this node has no redis: "
                    + "block; limits are enforced per node (each node admits limit / cluster.expected-nodes)");
        }
        String key = p.key().resolve(request, match.pathVariables(), consumer).orElse(null);
        if (key == null) {
            anonymous.increment();
            key = ANONYMOUS_KEY;
        }
        RateLimitDecision decision = decider.tryAcquire(p, match.route().id(), key);
        Counters c = counters.computeIfAbsent(new RouteAndPolicy(match.route().id(), p.id()), k -> new Counters());
        (decision.allowed() ? c.allowed() : c.limited()).increment();
        return decision;
    }

    /** The 429 answer for a rejected decision (its headers, Retry-After included, are written separately). */
    public static Problem problem(RateLimitDecision decision, RouteMatch match) {
        long seconds = Math.max(1, (decision.retryAfter().toNanos() + 999_999_999L) / 1_000_000_000L);
        return new Problem(Problem.Type.TOO_MANY_REQUESTS, "rate limit of route '" + match.route().id()
                + "' exceeded; retry in " + seconds + " s" + (decision.degraded() ? " (node-local limit)" : ""));
    }

    /** True while Redis is configured but decisions come from the fallback. */
    public boolean degraded() {
        return limiter.map(RateLimiter::degraded).orElse(false);
    }

    /** True when decisions are shared through Redis (when it is up). */
    public boolean usesRedis() {
        return redis.isPresent();
    }

    public RateLimitMetrics engineMetrics() {
        return engineMetrics;
    }

    /** Allowed decisions of one route under one policy. */
    public long allowed(String routeId, String policyId) {
        Counters c = counters.get(new RouteAndPolicy(routeId, policyId));
        return c == null ? 0 : c.allowed().sum();
    }

    /** Rejected decisions of one route under one policy. */
    public long limited(String routeId, String policyId) {
        Counters c = counters.get(new RouteAndPolicy(routeId, policyId));
        return c == null ? 0 : c.limited().sum();
    }

    /**
     * Forgets the decision counters of routes that the applied routes version no longer has, so deleted routes
     * leave no series in /metrics (their buckets expire in Redis and in the local cache on their own).
     */
    public void retainRoutes(Set<String> routeIds) {
        counters.keySet().removeIf(k -> !routeIds.contains(k.route()));
    }

    /** Route ids that have decision counters (for tests and the admin API). */
    public Set<String> countedRoutes() {
        Set<String> ids = new java.util.TreeSet<>();
        counters.keySet().forEach(k -> ids.add(k.route()));
        return ids;
    }

    /** For {@code GatewayMetrics.addSource}. */
    public void writeMetrics(PrometheusText p) {
        RateLimitMetricsWriter.write(p, counters, anonymous.sum(), engineMetrics, usesRedis());
    }

    @Override
    public void close() {
        limiter.ifPresent(RateLimiter::close);
        redis.ifPresent(RedisConnections::close);
    }
}
