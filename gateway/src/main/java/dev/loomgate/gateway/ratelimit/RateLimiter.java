package dev.loomgate.gateway.ratelimit;

import dev.loomgate.gateway.redis.RedisConnections;
import dev.loomgate.gateway.trace.TraceSpan;
import dev.loomgate.gateway.trace.Tracing;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.proxy.RemoteBucketBuilder;
import io.github.bucket4j.distributed.proxy.optimization.DelayParameters;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * Cluster-wide rate limiting: token buckets kept in Redis (Bucket4j, compare-and-swap scripts) so every node draws
 * from the same bucket, behind a circuit breaker with a per-policy fallback while Redis is out.
 *
 * <p>{@link #tryAcquire} never throws and never waits on a Redis known to be down: after
 * {@link RateLimiterOptions#failureThreshold()} consecutive failed or slow calls it decides locally (one log line on
 * entering and one on leaving degraded mode) and a background virtual thread probes Redis until it answers.
 *
 * <p>Buckets are per (policy, route, key). The limiter does not own the {@link RedisConnections}; close both.
 */
public final class RateLimiter implements AutoCloseable {
    private record ProxyKey(String redisKey, Synchronization synchronization) {
    }

    private record KeyParts(RateLimitPolicy policy, String routeId, String key) {
    }

    /**
     * A waiter whose refill's tokens were all taken by faster requests tries again, until the latency budget is
     * spent; each round waits for a Redis call, so this bound on rounds is only a backstop.
     */
    private static final int MAX_REFILL_ROUNDS = 1_000;

    private final RedisConnections redis;
    private final RateLimiterOptions options;
    private final RateLimitMetrics metrics;
    private final LocalBuckets localBuckets;
    private final RedisCircuitBreaker breaker;
    private final ConcurrentHashMap<ProxyKey, BucketProxy> proxies = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Reservations> reservations = new ConcurrentHashMap<>();
    // the SHA-1 of (bandwidths, route, key) once per bucket, not once per request (a hot key asks millions of times)
    private final ConcurrentHashMap<KeyParts, String> redisKeys = new ConcurrentHashMap<>();
    private final IntSupplier liveNodes;
    private final long latencyBudgetNanos;
    private volatile ProxyManager<String> proxyManager;
    private final Tracing tracing;

    private RateLimiter(RedisConnections redis, RateLimiterOptions options, IntSupplier liveNodes,
                        RateLimitMetrics metrics, Tracing tracing) {
        this.redis = redis;
        this.tracing = tracing;
        this.options = options;
        this.metrics = metrics;
        this.localBuckets = new LocalBuckets(liveNodes, options.maxCachedBuckets());
        this.liveNodes = liveNodes;
        this.latencyBudgetNanos = options.latencyBudget().toNanos();
        String name = "rate limiter (" + redis.settings().topology() + ")";
        this.breaker = new RedisCircuitBreaker(options.failureThreshold(), options.probeInterval(),
                () -> {
                    // Idle pooled sockets to a restarted or demoted server are dead; drop them before asking again.
                    redis.discardIdleConnections();
                    return redis.ping().isPresent();
                },
                new RedisCircuitBreaker.Listener() {
                    @Override
                    public void degraded(String reason) {
                        metrics.degraded(true);
                        RedisCircuitBreaker.logDegraded(name, reason);
                    }

                    @Override
                    public void recovered(Duration degradedFor) {
                        localBuckets.clear();
                        metrics.degraded(false);
                        RedisCircuitBreaker.logRecovered(name, degradedFor);
                    }
                });
    }

    /**
     * A limiter on {@code redis}. {@code liveNodes} tells how many gateway nodes share the cluster limit (used only
     * by the LOCAL fallback to take this node's share). If Redis does not answer now the limiter starts degraded.
     */
    public static RateLimiter create(RedisConnections redis, RateLimiterOptions options, IntSupplier liveNodes,
                                     RateLimitMetrics metrics) {
        return create(redis, options, liveNodes, metrics, Tracing.off());
    }

    /** As above; each Redis call of a sampled request becomes a child span of the request's server span. */
    public static RateLimiter create(RedisConnections redis, RateLimiterOptions options, IntSupplier liveNodes,
                                     RateLimitMetrics metrics, Tracing tracing) {
        RateLimiter limiter = new RateLimiter(redis, options, liveNodes, metrics, tracing);
        if (redis.ping().isEmpty()) {
            limiter.breaker.open("no answer from " + redis.settings().topology() + " at start");
        }
        return limiter;
    }

    /** Defaults, one node, fresh metrics. */
    public static RateLimiter create(RedisConnections redis) {
        return create(redis, RateLimiterOptions.defaults(), () -> 1, new RateLimitMetrics());
    }

    /**
     * Takes one token from the bucket of ({@code policy}, {@code routeId}, {@code key}). {@code key} is what the
     * policy's {@link KeySource} resolved (any string; it is hashed before it reaches Redis). Never throws because of
     * Redis; while Redis is out the decision comes from the policy's {@link FailureMode} and is marked degraded.
     */
    public RateLimitDecision tryAcquire(RateLimitPolicy policy, String routeId, String key) {
        String redisKey = redisKey(policy, routeId, key);
        RateLimitDecision decision;
        try {
            decision = fromRedis(policy, redisKey).orElseGet(() -> fallback(policy, redisKey));
        } catch (RuntimeException unexpected) {
            // A bug must not turn into a 500 for every request; fail the way the policy asks.
            decision = fallback(policy, redisKey);
        }
        metrics.recordDecision(policy.id(), decision);
        return decision;
    }

    /** True while decisions come from the fallback. */
    public boolean degraded() {
        return breaker.state() != RedisCircuitBreaker.State.CLOSED;
    }

    /** {@code CLOSED}, {@code OPEN} or {@code HALF_OPEN}, for the admin API and tests. */
    public String breakerState() {
        return breaker.state().name();
    }

    public RateLimitMetrics metrics() {
        return metrics;
    }

    public RateLimiterOptions options() {
        return options;
    }

    private Optional<RateLimitDecision> fromRedis(RateLimitPolicy policy, String redisKey) {
        if (policy.synchronization() instanceof Synchronization.Reserving reserving) {
            return fromReservation(policy, redisKey, reservations(reserving));
        }
        return callRedis(policy, redisKey, bucket -> bucket.tryConsumeAndReturnRemaining(1))
                .map(probe -> decision(policy, probe, false));
    }

    /**
     * {@code sync: reserving}: a reserved token if there is one; else this request becomes the key's one refill in
     * flight, or waits (at most the latency budget) for the refill already in flight and takes one of its tokens.
     */
    private Optional<RateLimitDecision> fromReservation(RateLimitPolicy policy, String redisKey, Reservations rs) {
        Reservations.Reservation r = rs.of(redisKey);
        long deadline = System.nanoTime() + latencyBudgetNanos;
        for (int round = 0; round < MAX_REFILL_ROUNDS && (round == 0 || System.nanoTime() - deadline < 0); round++) {
            long now = System.nanoTime();
            long left = Reservations.take(r, now);
            if (left >= 0) {
                // a token Redis gave out to this node earlier: no round trip
                if (rs.refillAhead(r, left, now)) {
                    refillInBackground(policy, redisKey, rs, r);
                }
                return Optional.of(new RateLimitDecision(true, policy.headlineBandwidth().burst(),
                        r.remainingInRedis() + left, Duration.ofNanos(r.resetNanos()), Duration.ZERO, false));
            }
            CompletableFuture<Reservations.Refill> mine = new CompletableFuture<>();
            Optional<CompletableFuture<Reservations.Refill>> inFlight = r.claimRefill(mine);
            if (inFlight.isEmpty()) {
                // this request's call refills the key; its probe carries the request's own token (or the denial)
                return refill(policy, redisKey, rs, r, mine, true).probe().map(p -> decision(policy, p, false));
            }
            Optional<ConsumptionProbe> answer = awaitRefill(r, inFlight.get(), deadline);
            if (answer.isEmpty()) {
                return Optional.empty();
            }
            if (!answer.get().isConsumed()) {
                return Optional.of(decision(policy, answer.get(), false)); // Redis had no token left: as batching
            }
            // tokens were granted: take one next round (if faster waiters took them all, refill again)
        }
        metrics.refillWaitTimedOut();
        return Optional.empty();
    }

    /** The refill's answer, or empty when it had none (fallback) or did not come within the latency budget. */
    private Optional<ConsumptionProbe> awaitRefill(Reservations.Reservation r,
                                                   CompletableFuture<Reservations.Refill> inFlight, long deadline) {
        metrics.refillWaited();
        r.startWaiting();
        try {
            return inFlight.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).probe();
        } catch (TimeoutException e) {
            metrics.refillWaitTimedOut();
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.empty(); // not reached: refills complete normally, with NO_ANSWER on failure
        } finally {
            r.stopWaiting();
        }
    }

    /** Takes a chunk ahead on a virtual thread, so that steady traffic does not find the reservation empty. */
    private void refillInBackground(RateLimitPolicy policy, String redisKey, Reservations rs, Reservations.Reservation r) {
        CompletableFuture<Reservations.Refill> mine = new CompletableFuture<>();
        if (r.claimRefill(mine).isPresent()) {
            return; // one is already in flight
        }
        metrics.refillAhead();
        try {
            Thread.ofVirtual().name("rate-limit-refill").start(() -> refill(policy, redisKey, rs, r, mine, false));
        } catch (RuntimeException e) {
            r.finishRefill(mine, Reservations.Refill.NO_ANSWER);
        }
    }

    /** The key's one refill in flight: one Redis call, then wakes the requests waiting for it. */
    private Reservations.Refill refill(RateLimitPolicy policy, String redisKey, Reservations rs, Reservations.Reservation r,
                                      CompletableFuture<Reservations.Refill> mine, boolean forRequest) {
        Reservations.Refill outcome = Reservations.Refill.NO_ANSWER;
        try {
            outcome = new Reservations.Refill(callRedis(policy, redisKey, bucket -> takeChunk(bucket, rs, r, forRequest)));
        } finally {
            r.finishRefill(mine, outcome);
        }
        return outcome;
    }

    /**
     * Gives back expired tokens, takes a chunk (or what is left, or one token: near the limit exactly as batching)
     * and keeps it in the reservation, less the token of the request that made the call when {@code forRequest}.
     */
    private ConsumptionProbe takeChunk(BucketProxy bucket, Reservations rs, Reservations.Reservation r, boolean forRequest) {
        long giveBack = Reservations.expired(r, System.nanoTime());
        if (giveBack > 0) {
            bucket.addTokens(giveBack); // held too long: back to the bucket for every node
        }
        long chunk = Reservations.refillChunk(r, liveNodes(), forRequest);
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(chunk);
        if (!probe.isConsumed() && chunk > 1) {
            // less left than asked: size again from what Redis has left (never more than that), else one token
            Reservations.observed(r, probe.getRemainingTokens(), probe.getNanosToWaitForReset());
            long smaller = Math.max(1, Math.min(chunk - 1,
                    Math.min(probe.getRemainingTokens(), Reservations.refillChunk(r, liveNodes(), forRequest))));
            probe = bucket.tryConsumeAndReturnRemaining(smaller);
            chunk = smaller;
            if (!probe.isConsumed() && chunk > 1) {
                chunk = 1;
                probe = bucket.tryConsumeAndReturnRemaining(1);
            }
        }
        if (!probe.isConsumed()) {
            Reservations.observed(r, probe.getRemainingTokens(), probe.getNanosToWaitForReset());
            return probe;
        }
        long own = forRequest ? 1 : 0;
        rs.granted(r, chunk - own, probe.getRemainingTokens(), probe.getNanosToWaitForReset(), System.nanoTime());
        // the request's own token is one of the chunk; the rest is this node's until it is spent
        return forRequest && chunk > 1 ? ConsumptionProbe.consumed(probe.getRemainingTokens() + chunk - 1,
                probe.getNanosToWaitForReset()) : probe;
    }

    /** One Redis call behind the breaker; empty when the breaker says fallback or the call failed. */
    private Optional<ConsumptionProbe> callRedis(RateLimitPolicy policy, String redisKey,
                                                 Function<BucketProxy, ConsumptionProbe> call) {
        RedisCircuitBreaker.Permit permit = breaker.permit();
        if (permit == RedisCircuitBreaker.Permit.FALLBACK) {
            return Optional.empty();
        }
        Optional<BucketProxy> bucket = proxy(policy, redisKey);
        if (bucket.isEmpty()) {
            if (permit == RedisCircuitBreaker.Permit.TRIAL) {
                breaker.record(permit, true, false, "no Redis connection pool yet");
            } else {
                breaker.open("no Redis connection pool yet");
            }
            return Optional.empty();
        }
        TraceSpan span = tracing.startChild("redis rate-limit", "redis");
        long start = System.nanoTime();
        metrics.redisCallStarted();
        try {
            ConsumptionProbe probe = call.apply(bucket.get());
            long nanos = System.nanoTime() - start;
            if (span.recording()) {
                span.attribute("loomgate.rate_limit.policy", policy.id())
                        .attribute("loomgate.rate_limit.allowed", Boolean.toString(probe.isConsumed()));
                span.end();
            }
            boolean slow = nanos > latencyBudgetNanos;
            metrics.recordRedisCall(nanos, false, slow);
            breaker.record(permit, false, slow, "Redis calls over the " + options.latencyBudget().toMillis()
                    + " ms latency budget");
            return Optional.of(probe);
        } catch (RuntimeException e) {
            span.fail(e.getClass().getSimpleName());
            metrics.recordRedisCall(System.nanoTime() - start, true, false);
            breaker.record(permit, true, false, e.getClass().getSimpleName() + ": " + e.getMessage());
            return Optional.empty();
        } finally {
            metrics.redisCallEnded();
        }
    }

    private String redisKey(RateLimitPolicy policy, String routeId, String key) {
        KeyParts parts = new KeyParts(policy, routeId, key);
        String redisKey = redisKeys.get(parts);
        if (redisKey == null) {
            if (redisKeys.size() >= options.maxCachedBuckets()) {
                redisKeys.clear();
            }
            redisKey = BucketKeys.redisKey(policy, routeId, key);
            redisKeys.put(parts, redisKey);
        }
        return redisKey;
    }

    private Reservations reservations(Synchronization sync) {
        long hold = ((Synchronization.Reserving) sync).hold().toNanos();
        return reservations.computeIfAbsent(hold, h -> new Reservations(h, options.maxCachedBuckets()));
    }

    private int liveNodes() {
        try {
            return Math.max(1, liveNodes.getAsInt());
        } catch (RuntimeException e) {
            return 1;
        }
    }

    private Optional<BucketProxy> proxy(RateLimitPolicy policy, String redisKey) {
        Optional<ProxyManager<String>> manager = redis.bucketProxyManager(options.keepAfterRefill());
        if (manager.isEmpty()) {
            return Optional.empty();
        }
        ProxyManager<String> pm = manager.get();
        if (pm != proxyManager) {
            proxies.clear();
            proxyManager = pm;
        }
        ProxyKey proxyKey = new ProxyKey(redisKey, policy.synchronization());
        BucketProxy proxy = proxies.get(proxyKey);
        if (proxy == null) {
            if (proxies.size() >= options.maxCachedBuckets()) {
                proxies.clear();
            }
            proxy = proxies.computeIfAbsent(proxyKey, k -> build(pm, policy, redisKey));
        }
        return Optional.of(proxy);
    }

    private static BucketProxy build(ProxyManager<String> pm, RateLimitPolicy policy, String redisKey) {
        RemoteBucketBuilder<String> builder = pm.builder();
        builder = switch (policy.synchronization()) {
            case Synchronization.None none -> builder;
            case Synchronization.Batching batching -> builder.withOptimization(Optimizations.batching());
            // chunks are taken with batching too: concurrent takers on one key share a round trip
            case Synchronization.Reserving reserving -> builder.withOptimization(Optimizations.batching());
            case Synchronization.Delaying d -> builder.withOptimization(Optimizations.delaying(
                    new DelayParameters(d.maxUnsynchronizedTokens(), d.maxUnsynchronizedTime())));
        };
        BucketConfiguration configuration = BucketKeys.configuration(policy.bandwidths());
        return builder.build(redisKey, () -> configuration);
    }

    private RateLimitDecision fallback(RateLimitPolicy policy, String redisKey) {
        long limit = policy.headlineBandwidth().burst();
        return switch (policy.onRedisFailure()) {
            case FAIL_OPEN -> new RateLimitDecision(true, limit, limit, Duration.ZERO, Duration.ZERO, true);
            case FAIL_CLOSED -> new RateLimitDecision(false, limit, 0, Duration.ZERO,
                    options.probeInterval().compareTo(Duration.ofSeconds(1)) > 0 ? options.probeInterval()
                            : Duration.ofSeconds(1), true);
            case LOCAL -> decision(policy, localBuckets.tryConsume(policy, redisKey), true);
        };
    }

    private static RateLimitDecision decision(RateLimitPolicy policy, ConsumptionProbe probe, boolean degraded) {
        return new RateLimitDecision(probe.isConsumed(), policy.headlineBandwidth().burst(),
                probe.getRemainingTokens(), Duration.ofNanos(probe.getNanosToWaitForReset()),
                probe.isConsumed() ? Duration.ZERO : Duration.ofNanos(probe.getNanosToWaitForRefill()), degraded);
    }

    /** Stops the background probe. Does not close the {@link RedisConnections}. */
    @Override
    public void close() {
        breaker.close();
    }
}
