package dev.loomgate.gateway.proxy;

import java.util.Optional;

import dev.loomgate.gateway.async.AsyncService;
import dev.loomgate.gateway.async.Jobs;
import dev.loomgate.gateway.call.UpstreamCalls;
import dev.loomgate.gateway.client.UpstreamClient;
import dev.loomgate.gateway.config.EdgeRules;
import dev.loomgate.gateway.config.TrustedProxies;
import dev.loomgate.gateway.frontdoor.FrontDoorHandler;
import dev.loomgate.gateway.frontdoor.FrontDoorRequest;
import dev.loomgate.gateway.frontdoor.FrontDoorResponse;
import dev.loomgate.gateway.frontdoor.Rejection;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.observe.AccessLog;
import dev.loomgate.gateway.observe.GatewayMetrics;
import dev.loomgate.gateway.observe.RequestIds;
import dev.loomgate.gateway.observe.TraceContext;
import dev.loomgate.gateway.pipeline.ConsumerIdentity;
import dev.loomgate.gateway.pipeline.FilterContractException;
import dev.loomgate.gateway.pipeline.TerminalStep;
import dev.loomgate.gateway.resilience.ResilienceRegistry;
import dev.loomgate.gateway.route.PathNormalizer;
import dev.loomgate.gateway.route.RouteMatch;
import dev.loomgate.gateway.routing.RoutingSnapshot;
import dev.loomgate.gateway.routing.RoutingState;
import dev.loomgate.gateway.trace.RequestTrace;
import dev.loomgate.gateway.trace.Tracing;

/**
 * What every request needs, and nothing per policy: request id and trace context, the path check, the route
 * match, the route's pipeline (its filters, then its terminal step: by default {@link UpstreamProxyStep}), a
 * problem+json answer when something fails, the access log and metrics, and the request's server span when it is
 * traced. Policies live in the pipeline.
 */
public final class ProxyHandler implements FrontDoorHandler {
    private static final String NODE_HEADER = "X-Loomgate-Node";

    private final String nodeId;
    private final RoutingState state;
    private final GatewayMetrics metrics;
    private final AccessLog accessLog;
    private final TerminalStep proxy;
    private final PathNormalizer paths;
    private final TrustedProxies trustedProxies;
    private final Tracing tracing;
    private final UpstreamRequestHeaders upstreamHeaders = new UpstreamRequestHeaders();
    private final UpstreamCalls calls;
    private final Optional<AsyncService> async;

    private ProxyHandler(Builder b) {
        this.nodeId = b.nodeId;
        this.state = b.state;
        this.metrics = b.metrics;
        this.accessLog = b.accessLog;
        this.paths = PathNormalizer.create(b.edge.paths().mergeSlashes());
        this.trustedProxies = b.edge.forwarded().trustedProxies();
        this.tracing = b.tracing;
        this.calls = new UpstreamCalls(b.client, b.resilience, b.metrics, ProxyHandler::problem, b.tracing);
        calls.follow(b.state);
        this.async = b.async;
        this.proxy = new UpstreamProxyStep(calls);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The upstream-call chains, shared with the async workers (same guards, retry budgets and metrics). */
    public UpstreamCalls calls() {
        return calls;
    }

    @Override
    public void handle(FrontDoorRequest req, FrontDoorResponse res) {
        long start = System.nanoTime();
        String requestId = RequestIds.fromOrNew(req.headers().first(RequestIds.HEADER).orElse(null));
        res.header(RequestIds.HEADER, requestId);
        res.header(NODE_HEADER, nodeId); // lets clients and the chaos harness see which node answered
        TraceContext incoming = TraceContext.from(req.headers().all(TraceContext.TRACEPARENT),
                req.headers().all(TraceContext.TRACESTATE));
        FrontDoorRequestView view = new FrontDoorRequestView(req, paths, trustedProxies);
        RequestTrace spans = tracing.startRequest(incoming, view.method(), view.path());
        TraceContext trace = spans.context(incoming);
        ProxyExchange ex = new ProxyExchange(req, res, view, requestId, trace, spans, upstreamHeaders, metrics);
        try {
            route(ex);
        } finally {
            spans.end(ex.status);
            long nanos = System.nanoTime() - start;
            if (ex.match != null) {
                metrics.route(ex.match.route().id()).record(ex.status, nanos);
            }
            if (accessLog.enabled()) {
                accessLog.log(new AccessLog.Entry(System.currentTimeMillis(), nodeId,
                        ex.match == null ? "" : ex.match.route().id(), ex.upstreamName, ex.endpoint, ex.view.method(),
                        ex.view.path(), ex.status, nanos / 1e6, ex.bytesIn, ex.bytesOut, requestId,
                        ex.view.clientIp(), trace.traceId(),
                        ex.attribute(ConsumerIdentity.ATTRIBUTE).map(ConsumerIdentity::id).orElse(""),
                        ex.attribute(Jobs.JOB_ID).orElse("")));
            }
        }
    }

    private void route(ProxyExchange ex) {
        if (ex.view.pathResult() instanceof PathNormalizer.Rejected r) {
            ex.answer(new Problem(Problem.Type.BAD_REQUEST, r.reason()));
            return;
        }
        RoutingSnapshot snapshot = state.current();
        if (async.isPresent() && ex.view.path().startsWith(Jobs.PATH_PREFIX)
                && (ex.view.method().equals("GET") || ex.view.method().equals("HEAD"))) {
            jobStatus(ex, snapshot, async.get());
            return;
        }
        Optional<RouteMatch> match = snapshot.routes().match(ex.view);
        if (match.isEmpty()) {
            metrics.noRoute();
            ex.answer(new Problem(Problem.Type.NO_ROUTE,
                    "no route for " + ex.view.method() + " " + ex.view.host() + ex.view.path()));
            return;
        }
        ex.routed(snapshot, match.get());
        try {
            snapshot.pipelines().of(match.get().route()).run(ex, proxy);
        } catch (FilterContractException e) {
            if (ex.answered()) {
                throw e;
            }
            ex.answer(new Problem(Problem.Type.INTERNAL, "route '" + match.get().route().id() + "': " + e.getMessage()));
        }
    }

    /**
     * A job's status URL: answered by the job's route (its id names it) after the route's filters admit the caller,
     * so only who may call the route may read its jobs; a malformed id is a 404 without a Redis read.
     */
    private void jobStatus(ProxyExchange ex, RoutingSnapshot snapshot, AsyncService jobs) {
        Optional<AsyncService.StatusRequest> status = jobs.statusRequest(ex.view.path());
        Optional<dev.loomgate.gateway.route.Route> route = status.flatMap(s -> snapshot.routes().routes().stream()
                .filter(r -> r.id().equals(s.id().routeId())).findFirst());
        if (route.isEmpty()) {
            ex.answer(new Problem(Problem.Type.NOT_FOUND, "no such job (unknown, expired, or not yours)"));
            return;
        }
        ex.routed(snapshot, RouteMatch.of(route.get(), ex.view.path()));
        ex.attribute(Jobs.JOB_ID, status.get().id().value());
        try {
            snapshot.pipelines().of(route.get()).runInstead(ex, status.get().step(), AsyncService.STATUS_SKIPS);
        } catch (FilterContractException e) {
            if (ex.answered()) {
                throw e;
            }
            ex.answer(new Problem(Problem.Type.INTERNAL, "route '" + route.get().id() + "': " + e.getMessage()));
        }
    }

    /** A refusal by the front door: the same problem+json, request id and node header as any answer. */
    @Override
    public void reject(Rejection rejection, FrontDoorResponse res) {
        String requestId = RequestIds.generate();
        res.header(RequestIds.HEADER, requestId);
        res.header(NODE_HEADER, nodeId);
        Problem p = problem(rejection);
        metrics.error(p.type().slug());
        ProblemWriter.send(res, p, "", requestId);
    }

    /** The problem type for a front-door refusal; its status is always the rejection's. */
    static Problem problem(Rejection r) {
        Problem.Type type = switch (r.kind()) {
            case BAD_REQUEST -> Problem.Type.BAD_REQUEST;
            case REQUEST_TIMEOUT -> Problem.Type.REQUEST_TIMEOUT;
            case METHOD_NOT_ALLOWED -> Problem.Type.METHOD_NOT_ALLOWED;
            case PAYLOAD_TOO_LARGE -> Problem.Type.PAYLOAD_TOO_LARGE;
            case URI_TOO_LONG -> Problem.Type.URI_TOO_LONG;
            case TOO_MANY_CONNECTIONS -> Problem.Type.TOO_MANY_CONNECTIONS;
            case HEADERS_TOO_LARGE -> Problem.Type.HEADERS_TOO_LARGE;
            case INTERNAL -> Problem.Type.INTERNAL;
            case NOT_IMPLEMENTED -> Problem.Type.NOT_IMPLEMENTED;
            case OVERLOADED -> Problem.Type.OVERLOADED;
            case VERSION_NOT_SUPPORTED -> Problem.Type.HTTP_VERSION_NOT_SUPPORTED;
        };
        return new Problem(type, r.detail());
    }

    /** Collects the handler's parts; only the edge rules have a default. */
    public static final class Builder {
        private String nodeId = "node";
        private RoutingState state;
        private UpstreamClient client;
        private GatewayMetrics metrics;
        private AccessLog accessLog;
        private ResilienceRegistry resilience;
        private EdgeRules edge = EdgeRules.defaults();
        private Tracing tracing = Tracing.off();
        private Optional<AsyncService> async = Optional.empty();

        private Builder() {
        }

        /** Serves the job status URLs ({@code /jobs/{id}}) of async routes. */
        public Builder async(Optional<AsyncService> async) {
            this.async = async;
            return this;
        }

        /** Spans per request and per upstream try; off by default. */
        public Builder tracing(Tracing tracing) {
            this.tracing = tracing;
            return this;
        }

        public Builder nodeId(String nodeId) {
            this.nodeId = nodeId;
            return this;
        }

        public Builder routing(RoutingState state) {
            this.state = state;
            return this;
        }

        public Builder client(UpstreamClient client) {
            this.client = client;
            return this;
        }

        public Builder metrics(GatewayMetrics metrics) {
            this.metrics = metrics;
            return this;
        }

        public Builder accessLog(AccessLog accessLog) {
            this.accessLog = accessLog;
            return this;
        }

        public Builder resilience(ResilienceRegistry resilience) {
            this.resilience = resilience;
            return this;
        }

        /** Path normalization and forwarded-header trust (docs/SECURITY.md). */
        public Builder edge(EdgeRules edge) {
            this.edge = edge;
            return this;
        }

        public ProxyHandler build() {
            if (state == null || client == null || metrics == null || accessLog == null || resilience == null) {
                throw new IllegalStateException("a proxy handler needs its routing state, upstream client, metrics,"
                        + " access log and resilience registry");
            }
            return new ProxyHandler(this);
        }
    }
}
