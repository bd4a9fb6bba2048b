package dev.loomgate.gateway.call;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.loomgate.gateway.client.UpstreamClient;
import dev.loomgate.gateway.client.UpstreamRequest;
import dev.loomgate.gateway.frontdoor.Rejection;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.http.RequestView;
import dev.loomgate.gateway.observe.GatewayMetrics;
import dev.loomgate.gateway.resilience.ResilienceRegistry;
import dev.loomgate.gateway.route.Route;
import dev.loomgate.gateway.routing.RoutingSnapshot;
import dev.loomgate.gateway.routing.RoutingState;
import dev.loomgate.gateway.trace.RequestTrace;
import dev.loomgate.gateway.trace.Tracing;
import dev.loomgate.gateway.upstream.LoadBalancerKind;
import dev.loomgate.gateway.upstream.Upstream;

/**
 * Calls to upstreams: the one entry point of the proxy's terminal step. Each upstream gets its
 * decorator chain composed once, when a routing snapshot brings it (or on its first call), and
 * kept while the {@link Upstream} object is the same (a reload keeps unchanged upstreams):
 *
 * <pre>
 * BulkheadCall -> RetryingCall -> per try: TracedCall -> BreakerCall -> OutlierCall -> MeteredCall -> [PeakEwmaCall]
 * -> EndpointExchange
 * </pre>
 *
 * The breaker and outlier steps are left out when the upstream has no {@code circuit-breaker:}
 * or {@code outlier-detection:}, and the traced step when the node has no {@code tracing:}, so an
 * upstream without them pays nothing for them.
 */
public final class UpstreamCalls {
    private final UpstreamClient client;
    private final ResilienceRegistry registry;
    private final GatewayMetrics metrics;
    private final Function<Rejection, Problem> rejectionProblem;
    private final Tracing tracing;
    private final OutcomeRule outcomeRule = OutcomeRule.serverErrors();
    private final RetryRule retryRule = RetryRule.failsafe();
    private final Map<String, Composed> chains = new ConcurrentHashMap<>();

    /** The chain of one upstream object. */
    private record Composed(Upstream upstream, UpstreamCall call) {
    }

    /**
     * @param rejectionProblem how the proxy words a front-door rejection; used when the client's
     *                         own body failed while it was being sent upstream
     */
    public UpstreamCalls(UpstreamClient client, ResilienceRegistry registry, GatewayMetrics metrics,
                         Function<Rejection, Problem> rejectionProblem) {
        this(client, registry, metrics, rejectionProblem, Tracing.off());
    }

    /** @param tracing when enabled, every try gets a client span ({@link TracedCall}) */
    public UpstreamCalls(UpstreamClient client, ResilienceRegistry registry, GatewayMetrics metrics,
                         Function<Rejection, Problem> rejectionProblem, Tracing tracing) {
        this.client = client;
        this.registry = registry;
        this.metrics = metrics;
        this.rejectionProblem = rejectionProblem;
        this.tracing = tracing;
    }

    /**
     * Sends the request to {@code upstream} under its guards and the route's retry policy.
     *
     * @param endpointSeen told the endpoint of every try (the access log keeps the last)
     */
    public CallOutcome forward(Upstream upstream, Route route, RequestView view, UpstreamRequest request,
                               Consumer<String> endpointSeen) {
        return forward(upstream, route, view, request, endpointSeen, RequestTrace.UNSAMPLED);
    }

    /** As {@link #forward(Upstream, Route, RequestView, UpstreamRequest, Consumer)}, each try a child of {@code trace}. */
    public CallOutcome forward(Upstream upstream, Route route, RequestView view, UpstreamRequest request,
                               Consumer<String> endpointSeen, RequestTrace trace) {
        return chain(upstream).call(new CallRequest(route, view, request, endpointSeen, trace));
    }

    private UpstreamCall chain(Upstream upstream) {
        Composed c = chains.get(upstream.name());
        if (c == null || c.upstream() != upstream) {
            c = new Composed(upstream, compose(upstream));
            chains.put(upstream.name(), c);
        }
        return c.call();
    }

    /** Composes and prunes with every snapshot {@code state} applies, starting with the current one. */
    public void follow(RoutingState state) {
        state.addListener(this::applied);
        applied(state.current());
    }

    /**
     * A routing snapshot was applied: composes the chains of new or changed upstreams and drops
     * the chains, guards and retry budgets of upstreams and routes it no longer has.
     */
    public void applied(RoutingSnapshot snapshot) {
        registry.retain(snapshot.upstreams().keySet(), snapshot.routeIds());
        chains.keySet().retainAll(snapshot.upstreams().keySet());
        snapshot.upstreams().values().forEach(this::chain);
    }

    /** The decorators of one upstream, outermost first. */
    UpstreamCall compose(Upstream upstream) {
        String name = upstream.name();
        ResilienceRegistry.Guards guards = registry.guards(name, upstream.definition().resilience());
        EndpointCall exchange = new EndpointExchange(client, name, upstream.definition().tls());
        if (upstream.definition().loadBalancer() == LoadBalancerKind.PEAK_EWMA) {
            exchange = new PeakEwmaCall(upstream.definition().peakEwma(), exchange);
        }
        EndpointCall tries = new MeteredCall(metrics.upstream(name), exchange);
        if (guards.outlier().isPresent()) {
            tries = new OutlierCall(name, upstream.hosts(), guards.outlier().get(), outcomeRule, registry.metrics(), tries);
        }
        if (guards.breaker().isPresent()) {
            tries = new BreakerCall(name, guards.breaker().get(), outcomeRule, registry.metrics(), tries);
        }
        if (tracing.enabled()) {
            tries = new TracedCall(name, tries);
        }
        UpstreamCall call = new RetryingCall(upstream, client.settings(), registry, retryRule, rejectionProblem, tries);
        return new BulkheadCall(name, guards.bulkhead(), registry.metrics(), call);
    }
}
