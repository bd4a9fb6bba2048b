package dev.loomgate.gateway.proxy;

import dev.loomgate.gateway.http.Problem;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.loomgate.gateway.client.HttpFields;
import dev.loomgate.gateway.config.EdgeRules;
import dev.loomgate.gateway.config.TrustedProxies;
import dev.loomgate.gateway.client.RequestBody;
import dev.loomgate.gateway.client.UpstreamClient;
import dev.loomgate.gateway.client.UpstreamRequest;
import dev.loomgate.gateway.client.UpstreamResponse;
import dev.loomgate.gateway.routing.RoutingSnapshot;
import dev.loomgate.gateway.routing.RoutingState;
import dev.loomgate.gateway.frontdoor.ClientBodyException;
import dev.loomgate.gateway.frontdoor.FrontDoorHandler;
import dev.loomgate.gateway.frontdoor.FrontDoorRequest;
import dev.loomgate.gateway.frontdoor.FrontDoorResponse;
import dev.loomgate.gateway.frontdoor.HeaderFields;
import dev.loomgate.gateway.frontdoor.Rejection;
import dev.loomgate.gateway.observe.AccessLog;
import dev.loomgate.gateway.observe.GatewayMetrics;
import dev.loomgate.gateway.observe.RequestIds;
import dev.loomgate.gateway.observe.TraceContext;
import dev.loomgate.gateway.call.CallOutcome;
import dev.loomgate.gateway.call.UpstreamCalls;
import dev.loomgate.gateway.resilience.ResilienceMetrics;
import dev.loomgate.gateway.resilience.ResilienceRegistry;
import dev.loomgate.gateway.resilience.RetryPolicy;
import dev.loomgate.gateway.policy.RateLimitStep;
import dev.loomgate.gateway.ratelimit.RateLimitDecision;
import dev.loomgate.gateway.route.PathNormalizer;
import dev.loomgate.gateway.route.Route;
import dev.loomgate.gateway.route.RouteMatch;
import dev.loomgate.gateway.upstream.Upstream;

/**
 * The data path: match a route, pick an endpoint, forward the request and relay the response,
 * streaming bodies both ways. Failures become problem+json responses with a stable type.
 */
public final class ProxyHandler implements FrontDoorHandler {
    private static final Logger LOG = Logger.getLogger(ProxyHandler.class.getName());
    /** Request bodies up to this size are read first, so the request can be replayed. */
    private static final int BUFFER_REQUEST_BODY = 64 * 1024;
    private static final String NODE_HEADER = "X-Loomgate-Node";
    private static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** Response bodies up to this size are relayed in one write with a Content-Length. */
    private static final int BUFFER_RESPONSE_BODY = 256 * 1024;

    private final String nodeId;
    private final RoutingState state;
    private final UpstreamClient client;
    private final GatewayMetrics metrics;
    private final AccessLog accessLog;
    private final UpstreamCalls calls;
    private final RateLimitStep rateLimits;
    private volatile String localPortText;
    private final PathNormalizer paths;
    private final TrustedProxies trustedProxies;

    public ProxyHandler(String nodeId, RoutingState state, UpstreamClient client, GatewayMetrics metrics,
                        AccessLog accessLog) {
        this(nodeId, state, client, metrics, accessLog, RateLimitStep.local());
    }

    public ProxyHandler(String nodeId, RoutingState state, UpstreamClient client, GatewayMetrics metrics,
                        AccessLog accessLog, RateLimitStep rateLimits) {
        this(nodeId, state, client, metrics, accessLog, rateLimits, new ResilienceRegistry(new ResilienceMetrics()));
    }

    public ProxyHandler(String nodeId, RoutingState state, UpstreamClient client, GatewayMetrics metrics,
                        AccessLog accessLog, RateLimitStep rateLimits, ResilienceRegistry resilience) {
        this(nodeId, state, client, metrics, accessLog, rateLimits, resilience, EdgeRules.defaults());
    }

    /** @param edge path normalization and forwarded-header trust (docs/SECURITY.md) */
    public ProxyHandler(String nodeId, RoutingState state, UpstreamClient client, GatewayMetrics metrics,
                        AccessLog accessLog, RateLimitStep rateLimits, ResilienceRegistry resilience, EdgeRules edge) {
        this.paths = PathNormalizer.create(edge.paths().mergeSlashes());
        this.trustedProxies = edge.forwarded().trustedProxies();
        this.rateLimits = rateLimits;
        this.nodeId = nodeId;
        this.state = state;
        this.client = client;
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.calls = new UpstreamCalls(client, resilience, metrics, ProxyHandler::problem);
        calls.follow(state);
    }

    @Override
    public void handle(FrontDoorRequest req, FrontDoorResponse res) {
        long start = System.nanoTime();
        Exchange ex = new Exchange(new FrontDoorRequestView(req, paths, trustedProxies), start);
        ex.requestId = RequestIds.fromOrNew(req.headers().first(RequestIds.HEADER).orElse(null));
        res.header(RequestIds.HEADER, ex.requestId);
        ex.trace = TraceContext.from(req.headers().first(TraceContext.TRACEPARENT),
                req.headers().all(TraceContext.TRACESTATE));

        res.header(NODE_HEADER, nodeId); // lets clients and the chaos harness see which node answered
        try {
            forward(req, res, ex);
        } finally {
            long nanos = System.nanoTime() - start;
            if (ex.route != null) {
                metrics.route(ex.route.id()).record(ex.status, nanos);
            }
            if (accessLog.enabled()) {
                accessLog.log(new AccessLog.Entry(System.currentTimeMillis(), nodeId,
                    ex.route == null ? "" : ex.route.id(), ex.upstreamName, ex.endpoint, ex.view.method(),
                    ex.view.path(), ex.status, nanos / 1e6, ex.bytesIn, ex.bytesOut, ex.requestId, ex.view.clientIp(),
                    ex.trace == null ? "" : ex.trace.traceId()));
            }
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

    private void forward(FrontDoorRequest req, FrontDoorResponse res, Exchange ex) {
        if (ex.view.pathResult() instanceof PathNormalizer.Rejected r) {
            problem(res, ex, new Problem(Problem.Type.BAD_REQUEST, r.reason()));
            return;
        }
        RoutingSnapshot snapshot = state.current();
        Optional<RouteMatch> match = snapshot.routes().match(ex.view);
        if (match.isEmpty()) {
            metrics.noRoute();
            problem(res, ex, new Problem(Problem.Type.NO_ROUTE,
                    "no route for " + ex.view.method() + " " + ex.view.host() + ex.view.path()));
            return;
        }
        RouteMatch m = match.get();
        ex.route = m.route();
        ex.upstreamName = ex.route.upstream();
        Optional<RateLimitDecision> limit = rateLimits.check(m, ex.view);
        if (limit.isPresent()) {
            limit.get().writeHeaders(new ResponseHeaders(res));
            if (!limit.get().allowed()) {
                problem(res, ex, RateLimitStep.problem(limit.get(), m));
                return;
            }
        }
        Optional<Upstream> upstream = snapshot.upstream(ex.route.upstream());
        if (upstream.isEmpty()) {
            problem(res, ex, new Problem(Problem.Type.NO_HEALTHY_ENDPOINT,
                    "upstream '" + ex.route.upstream() + "' has no available endpoint"));
            return;
        }
        UpstreamRequest upstreamRequest;
        try {
            upstreamRequest = buildRequest(req, m, ex);
        } catch (ClientBodyException e) {
            problem(res, ex, problem(e.rejection()));
            return;
        } catch (IOException e) {
            problem(res, ex, new Problem(Problem.Type.BAD_REQUEST, "reading the request body failed: " + e.getMessage()));
            return;
        }
        switch (calls.forward(upstream.get(), ex.route, ex.view, upstreamRequest, e -> ex.endpoint = e)) {
            case CallOutcome.Failed f -> {
                f.retryAfter().ifPresent(d -> res.header("Retry-After",
                        Long.toString(Math.max(1, (d.toMillis() + 999) / 1000))));
                problem(res, ex, f.problem());
            }
            case CallOutcome.Answered a -> {
                try {
                    relay(a.response(), req, res, ex);
                } finally {
                    a.finished().run();
                }
            }
        }
    }

    private UpstreamRequest buildRequest(FrontDoorRequest req, RouteMatch m, Exchange ex) throws IOException {
        HeaderFields in = req.headers();
        HttpFields headers = new HttpFields(in.size() + 6);
        Set<String> connectionTokens = HopByHop.connectionTokens(in.all("Connection"));
        for (int i = 0; i < in.size(); i++) {
            String name = in.name(i);
            if (HopByHop.isHopByHop(name, connectionTokens) || name.equalsIgnoreCase("Content-Length")
                    || name.equalsIgnoreCase("Expect") || ForwardedHeaders.dropped(name, ex.view.trustedPeer())) {
                continue;
            }
            if (name.equalsIgnoreCase("X-Request-Id") || name.equalsIgnoreCase(TraceContext.TRACEPARENT)
                    || name.equalsIgnoreCase(TraceContext.TRACESTATE)) {
                continue;
            }
            headers.add(name, in.value(i));
        }
        forwardedHeaders(req, ex.view).addTo(headers);
        headers.add(RequestIds.HEADER, ex.requestId);
        headers.add(TraceContext.TRACEPARENT, ex.trace.traceparent());
        ex.trace.tracestate().ifPresent(v -> headers.add(TraceContext.TRACESTATE, v));
        m.route().requestHeaders().applyTo(headers);

        String query = ex.view.rawQuery();
        String target = query.isEmpty() ? m.upstreamPath() : m.upstreamPath() + "?" + query;
        String method = ex.view.method();
        boolean idempotent = Methods.idempotent(method) || req.headers().contains(IDEMPOTENCY_KEY);
        RetryPolicy retries = m.route().resilience().retries();
        long buffer = retries.retries() ? Math.max(BUFFER_REQUEST_BODY, retries.maxBufferedBody()) : BUFFER_REQUEST_BODY;
        return new UpstreamRequest(method, target, headers, body(req, ex, buffer, retries.retries()), idempotent);
    }

    /** X-Forwarded-* and Forwarded: the client's only from a trusted proxy, else ours (ForwardedHeaders). */
    private ForwardedHeaders.Outgoing forwardedHeaders(FrontDoorRequest req, FrontDoorRequestView view) {
        boolean trusted = view.trustedPeer();
        ForwardedHeaders.Incoming in = trusted ? new ForwardedHeaders.Incoming(view.headerValues("X-Forwarded-For"),
                view.headerValues("X-Forwarded-Proto"), view.headerValues("X-Forwarded-Host"),
                view.headerValues("X-Forwarded-Port"), view.headerValues("Forwarded")) : ForwardedHeaders.Incoming.none();
        return ForwardedHeaders.decide(new ForwardedHeaders.Own(view.peerIp(), req.secure() ? "https" : "http",
                req.headers().first("Host"), localPort(req)), trusted, in);
    }

    /** The listener's port as text: one listener, so formatted once rather than per request. */
    private String localPort(FrontDoorRequest req) {
        String p = localPortText;
        if (p == null) {
            p = Integer.toString(req.localPort());
            localPortText = p;
        }
        return p;
    }

    /**
     * @param buffer      bodies up to this size are read into memory (replayable)
     * @param bufferChunked whether a chunked body is read up to {@code buffer} first too: only for
     *                    routes that retry, since it delays the first byte upstream (no full duplex)
     */
    private static RequestBody body(FrontDoorRequest req, Exchange ex, long buffer, boolean bufferChunked) throws IOException {
        if (!req.hasBody()) {
            return RequestBody.NONE;
        }
        OptionalLong length = req.contentLength() >= 0 ? OptionalLong.of(req.contentLength()) : OptionalLong.empty();
        InputStream in = req.body();
        if (length.isPresent() && length.getAsLong() <= buffer) {
            byte[] data = in.readAllBytes();
            ex.bytesIn = data.length;
            return new RequestBody.Bytes(data);
        }
        if (length.isEmpty() && bufferChunked) {
            byte[] head = in.readNBytes((int) buffer + 1);
            ex.bytesIn = head.length;
            if (head.length <= buffer) {
                return new RequestBody.Bytes(head);
            }
            InputStream rest = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(head),
                    new CountingInputStream(in, ex));
            return new RequestBody.Streamed(rest, -1);
        }
        CountingInputStream counting = new CountingInputStream(in, ex);
        return new RequestBody.Streamed(counting, length.orElse(-1));
    }

    private void relay(UpstreamResponse response, FrontDoorRequest req, FrontDoorResponse res, Exchange ex) {
        try (response) {
            ex.status = response.status();
            res.status(response.status(), response.reason());
            HttpFields h = response.headers();
            Set<String> connectionTokens = HopByHop.connectionTokens(h.all("Connection"));
            String declaredLength = null;
            for (int i = 0; i < h.size(); i++) {
                String name = h.name(i);
                if (name.equalsIgnoreCase("Content-Length")) {
                    declaredLength = h.value(i);
                    continue;
                }
                if (HopByHop.isHopByHop(name, connectionTokens) || name.equalsIgnoreCase("X-Request-Id")) {
                    continue;
                }
                res.header(name, h.value(i));
            }
            ex.route.responseHeaders().applyTo(new ResponseHeaders(res));
            if (ex.view.method().equals("HEAD") || response.status() == 204 || response.status() == 304) {
                if (declaredLength != null && response.status() != 204) {
                    try {
                        res.contentLength(Long.parseLong(declaredLength.trim()));
                    } catch (NumberFormatException e) {
                        // an invalid length from the upstream describes nothing: send none
                    }
                }
                res.send();
                return;
            }
            OptionalLong length = response.contentLength();
            if (length.isPresent() && length.getAsLong() <= BUFFER_RESPONSE_BODY) {
                byte[] body = response.readBody();
                // the upstream connection goes back to the pool before a slow client reads anything
                response.close();
                ex.bytesOut = body.length;
                res.send(body);
                return;
            }
            if (length.isPresent()) {
                res.contentLength(length.getAsLong());
            }
            streamBody(response.body(), res, ex);
        } catch (IOException e) {
            // the response has started: the only honest signal left is to cut the client connection
            LOG.log(Level.FINE, "relaying response failed for request " + ex.requestId, e);
            throw new IllegalStateException("response relay failed: " + e.getMessage(), e);
        }
    }

    private static void streamBody(InputStream body, FrontDoorResponse res, Exchange ex) throws IOException {
        byte[] buf = new byte[32 * 1024];
        OutputStream out = res.outputStream();
        int n;
        while ((n = body.read(buf)) > 0) {
            out.write(buf, 0, n);
            ex.bytesOut += n;
        }
        out.close();
    }

    private void problem(FrontDoorResponse res, Exchange ex, Problem p) {
        ex.status = p.status();
        metrics.error(p.type().slug());
        ProblemWriter.send(res, p, ex.view.path(), ex.requestId);
    }

    /** Per-request bookkeeping for metrics and the access log. */
    private static final class Exchange {
        final FrontDoorRequestView view;
        final long startNanos;
        String requestId = "";
        TraceContext trace;
        Route route;
        String upstreamName = "";
        String endpoint = "";
        int status = 500;
        long bytesIn;
        long bytesOut;

        Exchange(FrontDoorRequestView view, long startNanos) {
            this.view = view;
            this.startNanos = startNanos;
        }
    }

    private static final class CountingInputStream extends java.io.FilterInputStream {
        private final Exchange ex;

        CountingInputStream(InputStream in, Exchange ex) {
            super(in);
            this.ex = ex;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                ex.bytesIn++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                ex.bytesIn += n;
            }
            return n;
        }
    }
}
