package dev.loomgate.gateway.call;

import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import dev.loomgate.gateway.client.ClientSettings;
import dev.loomgate.gateway.client.UpstreamException;
import dev.loomgate.gateway.frontdoor.Rejection;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.resilience.ResilienceRegistry;
import dev.loomgate.gateway.resilience.RetryBudget;
import dev.loomgate.gateway.resilience.RetryPolicy;
import dev.loomgate.gateway.resilience.Timeouts;
import dev.loomgate.gateway.route.Route;
import dev.loomgate.gateway.upstream.Upstream;
import dev.loomgate.gateway.upstream.UpstreamHost;

/**
 * The tries of one request: resolves the timeouts (route over upstream over client), chooses an
 * endpoint for each try (a retry avoids endpoints already tried, unless there is no other), sends
 * the try through the endpoint chain and asks the {@link RetryRule} what next. Counts each
 * decision in the retry metrics. Relaying the response is the caller's; once it starts nothing
 * is retried.
 */
final class RetryingCall implements UpstreamCall {
    private final Upstream upstream;
    private final ClientSettings client;
    private final ResilienceRegistry registry;
    private final RetryRule rule;
    private final Function<Rejection, Problem> rejectionProblem;
    private final EndpointCall tries;

    RetryingCall(Upstream upstream, ClientSettings client, ResilienceRegistry registry, RetryRule rule,
                 Function<Rejection, Problem> rejectionProblem, EndpointCall tries) {
        this.upstream = upstream;
        this.client = client;
        this.registry = registry;
        this.rule = rule;
        this.rejectionProblem = rejectionProblem;
        this.tries = tries;
    }

    @Override
    public CallOutcome call(CallRequest req) {
        Route route = req.route();
        Timeouts t = route.resilience().timeouts().or(upstream.definition().resilience().timeouts());
        Duration connect = t.connect().orElse(client.connectTimeout());
        Duration response = t.response().orElse(client.responseTimeout());
        long deadline = t.total().map(d -> System.nanoTime() + d.toNanos()).orElse(EndpointTry.NO_DEADLINE);
        RetryPolicy policy = route.resilience().retries();
        Optional<RetryBudget> budget = policy.retries() ? Optional.of(registry.budget(route.id(), policy)) : Optional.empty();
        budget.ifPresent(RetryBudget::requestStarted);
        Set<UpstreamHost> tried = new HashSet<>(2);
        CallOutcome.Failed lastFailure = null;
        for (int attempt = 1; ; attempt++) {
            Optional<UpstreamHost> chosen = upstream.choose(req.view(), tried);
            if (chosen.isEmpty() && !tried.isEmpty()) {
                chosen = upstream.choose(req.view(), Set.of()); // no other endpoint: the same one again
            }
            if (chosen.isEmpty()) {
                return lastFailure != null ? lastFailure : new CallOutcome.Failed(UpstreamProblems.noEndpoint(upstream.name()));
            }
            UpstreamHost host = chosen.get();
            req.endpointSeen().accept(host.id());
            EndpointTry attemptNow = new EndpointTry(host, req.request(), connect, response, deadline, t, attempt,
                    req.trace());
            TryOutcome outcome = tries.call(attemptNow);
            if (outcome instanceof TryOutcome.NotSent n) {
                return new CallOutcome.Failed(n.problem(), n.retryAfter());
            }
            if (outcome instanceof TryOutcome.Threw th) {
                UpstreamException e = th.failure();
                boolean timedOutByTotal = e.kind() == UpstreamException.Kind.RESPONSE_TIMEOUT && !attemptNow.timeLeft();
                lastFailure = new CallOutcome.Failed(timedOutByTotal ? UpstreamProblems.totalTimeout(upstream.name(), t)
                        : UpstreamProblems.of(e, upstream.name(), host, rejectionProblem));
            }
            RetryRule.Decision d = rule.decide(outcome,
                    new RetryRule.Context(policy, req.request(), attempt, attemptNow.timeLeft(), budget));
            switch (d.kind()) {
                case RETRY -> {
                    if (outcome instanceof TryOutcome.Responded r) {
                        r.response().close(); // not read: the connection is discarded, never reused mid-body
                        host.requestFinished();
                    }
                    registry.metrics().retried(route.id(), d.reason());
                    tried.add(host);
                    continue;
                }
                case STOP -> registry.metrics().notRetried(route.id(), d.reason());
                case ANSWER -> {
                }
            }
            if (outcome instanceof TryOutcome.Responded r) {
                return new CallOutcome.Answered(r.response(), host, host::requestFinished);
            }
            return lastFailure;
        }
    }
}
