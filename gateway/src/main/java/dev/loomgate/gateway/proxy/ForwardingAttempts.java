package dev.loomgate.gateway.proxy;

import dev.loomgate.gateway.http.Problem;

import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import dev.loomgate.gateway.client.UpstreamClient;
import dev.loomgate.gateway.client.UpstreamException;
import dev.loomgate.gateway.client.UpstreamRequest;
import dev.loomgate.gateway.client.UpstreamResponse;
import dev.loomgate.gateway.observe.GatewayMetrics;
import dev.loomgate.gateway.resilience.Bulkhead;
import dev.loomgate.gateway.resilience.CircuitBreaker;
import dev.loomgate.gateway.resilience.OutlierDetector;
import dev.loomgate.gateway.resilience.OutlierSettings;
import dev.loomgate.gateway.resilience.ResilienceRegistry;
import dev.loomgate.gateway.resilience.RetryBudget;
import dev.loomgate.gateway.resilience.RetryDecision;
import dev.loomgate.gateway.resilience.RetryPolicy;
import dev.loomgate.gateway.resilience.Timeouts;
import dev.loomgate.gateway.http.RequestView;
import dev.loomgate.gateway.route.Route;
import dev.loomgate.gateway.upstream.Upstream;
import dev.loomgate.gateway.upstream.UpstreamHost;
import dev.loomgate.gateway.frontdoor.ClientBodyException;

/**
 * The tries of one request up to its response head: bulkhead, timeouts, endpoint choice (a
 * retry avoids endpoints already tried), circuit breaker, outlier bookkeeping and the retry
 * rules. Relaying the response is the caller's; once it starts nothing is retried.
 */
final class ForwardingAttempts {
    /** Socket timeouts have millisecond resolution: less than this left of the total is nothing left. */
    private static final long MIN_TRY_NANOS = 5_000_000;

    /** How the tries ended. */
    sealed interface Outcome {
    }

    /**
     * An upstream response to relay; {@link #finished()} must run after relaying (releases the
     * endpoint's and the upstream's in-flight counts).
     */
    record Answered(UpstreamResponse response, UpstreamHost host, Runnable finished) implements Outcome {
    }

    /** No response to relay: answer this problem (with Retry-After when present). */
    record Failed(Problem problem, Optional<Duration> retryAfter) implements Outcome {
        Failed(Problem problem) {
            this(problem, Optional.empty());
        }
    }

    private final UpstreamClient client;
    private final ResilienceRegistry registry;
    private final GatewayMetrics metrics;

    ForwardingAttempts(UpstreamClient client, ResilienceRegistry registry, GatewayMetrics metrics) {
        this.client = client;
        this.registry = registry;
        this.metrics = metrics;
    }

    /**
     * @param endpointSeen told the endpoint of every try (the access log keeps the last)
     */
    Outcome forward(Upstream upstream, Route route, RequestView view, UpstreamRequest request,
                    java.util.function.Consumer<String> endpointSeen) {
        ResilienceRegistry.Guards guards = registry.guards(upstream);
        Bulkhead bulkhead = guards.bulkhead();
        if (!bulkhead.tryAcquire()) {
            registry.metrics().bulkheadRejected(upstream.name());
            return new Failed(new Problem(Problem.Type.UPSTREAM_MAX_IN_FLIGHT, "upstream '" + upstream.name()
                    + "' already has " + bulkhead.max() + " requests in flight (max-in-flight)"));
        }
        boolean handedOver = false;
        try {
            Outcome o = tries(upstream, route, view, request, guards, endpointSeen);
            if (o instanceof Answered a) {
                handedOver = true;
                return new Answered(a.response(), a.host(), () -> {
                    a.finished().run();
                    bulkhead.release();
                });
            }
            return o;
        } finally {
            if (!handedOver) {
                bulkhead.release();
            }
        }
    }

    private Outcome tries(Upstream upstream, Route route, RequestView view, UpstreamRequest request,
                          ResilienceRegistry.Guards guards, java.util.function.Consumer<String> endpointSeen) {
        Timeouts t = route.resilience().timeouts().or(upstream.definition().resilience().timeouts());
        Duration connect = t.connect().orElse(client.settings().connectTimeout());
        Duration response = t.response().orElse(client.settings().responseTimeout());
        long deadline = t.total().map(d -> System.nanoTime() + d.toNanos()).orElse(Long.MAX_VALUE);
        RetryPolicy policy = route.resilience().retries();
        RetryBudget budget = policy.retries() ? registry.budget(route.id(), policy) : null;
        if (budget != null) {
            budget.requestStarted();
        }
        Optional<CircuitBreaker> breaker = guards.breaker();
        Optional<OutlierSettings> outlier = upstream.definition().resilience().outlier();
        Set<UpstreamHost> tried = new HashSet<>(2);
        Failed lastFailure = null;
        for (int attempt = 1; ; attempt++) {
            Optional<UpstreamHost> chosen = upstream.choose(view, tried);
            if (chosen.isEmpty() && !tried.isEmpty()) {
                chosen = upstream.choose(view, Set.of()); // no other endpoint: the same one again
            }
            if (chosen.isEmpty()) {
                return lastFailure != null ? lastFailure : new Failed(new Problem(Problem.Type.NO_HEALTHY_ENDPOINT,
                        "upstream '" + upstream.name() + "' has no available endpoint"));
            }
            UpstreamHost host = chosen.get();
            endpointSeen.accept(host.id());
            if (breaker.isPresent() && !breaker.get().tryAcquire()) {
                registry.metrics().breakerRejected(upstream.name());
                Duration after = breaker.get().retryAfter();
                return new Failed(new Problem(Problem.Type.CIRCUIT_OPEN, "upstream '" + upstream.name()
                        + "' is failing; its circuit breaker is open"), Optional.of(after));
            }
            long left = deadline - System.nanoTime();
            // a try with (almost) nothing left of the total would only add a doomed request upstream
            if (left <= MIN_TRY_NANOS) {
                breaker.ifPresent(CircuitBreaker::release);
                return new Failed(totalTimeout(upstream, t));
            }
            Duration perTry = deadline == Long.MAX_VALUE || response.toNanos() <= left ? response : Duration.ofNanos(left);
            Duration perTryConnect = connect.toNanos() <= left ? connect : Duration.ofNanos(left);
            host.requestStarted();
            long sent = System.nanoTime();
            UpstreamResponse r;
            try {
                r = client.exchange(host.endpoint(), request, perTryConnect, perTry);
            } catch (UpstreamException e) {
                host.requestFinished();
                boolean clientsFault = e.kind() == UpstreamException.Kind.CLIENT_BODY_FAILED;
                if (!clientsFault) {
                    // a client that stalls or breaks its body is counted as a client error, never the upstream's
                    metrics.upstream(upstream.name()).record(599, System.nanoTime() - sent);
                }
                boolean upstreamsFault = !clientsFault && e.kind() != UpstreamException.Kind.POOL_EXHAUSTED;
                breaker.ifPresent(b -> {
                    if (upstreamsFault) {
                        b.record(false);
                    } else {
                        b.release();
                    }
                });
                if (upstreamsFault) {
                    outlierFailure(upstream, outlier, host);
                }
                boolean timedOutByTotal = e.kind() == UpstreamException.Kind.RESPONSE_TIMEOUT
                        && deadline - System.nanoTime() <= MIN_TRY_NANOS;
                lastFailure = new Failed(timedOutByTotal ? totalTimeout(upstream, t) : problemFor(e, upstream, host));
                Optional<RetryPolicy.Condition> condition = RetryDecision.condition(e.kind());
                Optional<RetryDecision.Skip> skip = condition.isEmpty()
                        ? Optional.of(RetryDecision.Skip.NOT_RETRYABLE)
                        : RetryDecision.check(policy, policy.on().contains(condition.get()), e.kind().nothingSent(),
                        request.idempotent(), attempt, request.body().replayable(), deadline - System.nanoTime() > MIN_TRY_NANOS,
                        budget);
                if (skip.isPresent()) {
                    registry.metrics().notRetried(route.id(), skip.get().label());
                    return lastFailure;
                }
                registry.metrics().retried(route.id(), condition.get().configName());
                tried.add(host);
                continue;
            }
            int status = r.status();
            metrics.upstream(upstream.name()).record(status, System.nanoTime() - sent);
            breaker.ifPresent(b -> b.record(status < 500));
            if (status >= 500) {
                outlierFailure(upstream, outlier, host);
            } else {
                OutlierDetector.success(host);
            }
            if (policy.statuses().contains(status)) {
                Optional<RetryDecision.Skip> skip = RetryDecision.check(policy, true, false, request.idempotent(),
                        attempt, request.body().replayable(), deadline - System.nanoTime() > MIN_TRY_NANOS, budget);
                if (skip.isEmpty()) {
                    r.close(); // not read: the connection is discarded, never reused mid-body
                    host.requestFinished();
                    registry.metrics().retried(route.id(), "status-" + status);
                    tried.add(host);
                    continue;
                }
                registry.metrics().notRetried(route.id(), skip.get().label());
            }
            return new Answered(r, host, host::requestFinished);
        }
    }

    private void outlierFailure(Upstream upstream, Optional<OutlierSettings> outlier, UpstreamHost host) {
        if (outlier.isPresent() && OutlierDetector.failure(upstream.name(), outlier.get(), upstream.hosts(), host)) {
            registry.metrics().ejected(upstream.name(), host.endpoint().id());
        }
    }

    private static Problem totalTimeout(Upstream upstream, Timeouts t) {
        return new Problem(Problem.Type.UPSTREAM_TIMEOUT, "upstream '" + upstream.name() + "' gave no response within the total timeout of "
                + t.total().map(Duration::toMillis).orElse(0L) + " ms");
    }

    static Problem problemFor(UpstreamException e, Upstream upstream, UpstreamHost host) {
        String where = "upstream '" + upstream.name() + "' endpoint " + host.endpoint().id();
        return switch (e.kind()) {
            case CONNECT_FAILED, RESET_BEFORE_RESPONSE ->
                    new Problem(Problem.Type.UPSTREAM_UNREACHABLE, where + ": " + e.getMessage());
            case POOL_EXHAUSTED -> new Problem(Problem.Type.UPSTREAM_BUSY, where + ": " + e.getMessage());
            case CONNECT_TIMEOUT, RESPONSE_TIMEOUT -> new Problem(Problem.Type.UPSTREAM_TIMEOUT, where + ": " + e.getMessage());
            case PROTOCOL_ERROR -> new Problem(Problem.Type.BAD_GATEWAY, where + ": " + e.getMessage());
            case CLIENT_BODY_FAILED -> clientBodyFailure(e)
                    .map(c -> ProxyHandler.problem(c.rejection()))
                    .orElseGet(() -> new Problem(Problem.Type.BAD_REQUEST, "request body: " + e.getMessage()));
        };
    }

    /** The front door's account of the client's failure (timeout, framing, size), when it has one. */
    private static Optional<ClientBodyException> clientBodyFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ClientBodyException c) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

}
