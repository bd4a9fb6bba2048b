package dev.loomgate.gateway.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import dev.loomgate.gateway.client.HttpFields;
import dev.loomgate.gateway.frontdoor.FrontDoorRequest;
import dev.loomgate.gateway.frontdoor.FrontDoorResponse;
import dev.loomgate.gateway.http.MutableHeaders;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.http.RequestView;
import dev.loomgate.gateway.pipeline.SessionKey;
import dev.loomgate.gateway.observe.GatewayMetrics;
import dev.loomgate.gateway.observe.TraceContext;
import dev.loomgate.gateway.trace.RequestTrace;
import dev.loomgate.gateway.pipeline.Attribute;
import dev.loomgate.gateway.pipeline.ClientBody;
import dev.loomgate.gateway.pipeline.Exchange;
import dev.loomgate.gateway.pipeline.ResponseHead;
import dev.loomgate.gateway.pipeline.ResponseHook;
import dev.loomgate.gateway.pipeline.ResponseWriter;
import dev.loomgate.gateway.route.RouteMatch;
import dev.loomgate.gateway.routing.RoutingSnapshot;

/**
 * One front-door request on its way through the pipeline, and its bookkeeping for metrics and the access log.
 * Created by {@link ProxyHandler} only, so the proxy's terminal step may rely on this class.
 */
final class ProxyExchange implements Exchange {
    final FrontDoorRequest req;
    final FrontDoorResponse res;
    final FrontDoorRequestView view;
    final String requestId;
    final TraceContext trace;
    /** The request's spans ({@link RequestTrace#UNSAMPLED} when not traced); each upstream try adds one. */
    final RequestTrace spans;
    RoutingSnapshot snapshot;
    RouteMatch match;
    String upstreamName = "";
    String endpoint = "";
    int status = 500;
    long bytesIn;
    long bytesOut;

    private final UpstreamHeaders upstreamHeaders;
    private final GatewayMetrics metrics;
    private String upstreamPath;
    private HttpFields headers;
    private Map<Attribute<?>, Object> attributes;
    private List<ResponseHook> hooks;
    private final ClientResponse response = new ClientResponse();
    private boolean relaying;
    /** Where the pipeline's response goes instead of the client (the response cache's capture); null: the client. */
    private ResponseWriter diverted;
    private boolean storedAnswer;

    /** Builds the upstream request's headers on first use, so an early answer never pays for them. */
    interface UpstreamHeaders {
        HttpFields build(ProxyExchange exchange);
    }

    ProxyExchange(FrontDoorRequest req, FrontDoorResponse res, FrontDoorRequestView view, String requestId,
                  TraceContext trace, RequestTrace spans, UpstreamHeaders upstreamHeaders, GatewayMetrics metrics) {
        this.req = req;
        this.res = res;
        this.view = view;
        this.requestId = requestId;
        this.trace = trace;
        this.spans = spans;
        this.upstreamHeaders = upstreamHeaders;
        this.metrics = metrics;
    }

    void routed(RoutingSnapshot snapshot, RouteMatch match) {
        this.snapshot = snapshot;
        this.match = match;
        this.upstreamName = match.route().upstream();
        this.upstreamPath = match.path();
        spans.routed(match.route().id(), upstreamName);
    }

    @Override
    public RequestView request() {
        return view;
    }

    @Override
    public RouteMatch match() {
        return match;
    }

    @Override
    public String requestId() {
        return requestId;
    }

    @Override
    public String upstreamPath() {
        return upstreamPath;
    }

    @Override
    public void upstreamPath(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            throw new IllegalArgumentException("an upstream path starts with '/': " + path);
        }
        this.upstreamPath = path;
    }

    @Override
    public MutableHeaders upstreamHeaders() {
        return fields();
    }

    HttpFields fields() {
        if (headers == null) {
            headers = upstreamHeaders.build(this);
        }
        return headers;
    }

    @Override
    public <T> Optional<T> attribute(Attribute<T> key) {
        return attributes == null ? Optional.empty() : Optional.ofNullable(attributes.get(key)).map(key::cast);
    }

    @Override
    public <T> void attribute(Attribute<T> key, T value) {
        if (attributes == null) {
            attributes = new IdentityHashMap<>(4);
        }
        attributes.put(key, key.cast(value));
        if (key == SessionKey.ID) {
            view.sessionId(SessionKey.ID.cast(value)); // for consistent-hash balancing on the session
        }
    }

    @Override
    public void onResponseHead(ResponseHook hook) {
        if (response.committed()) {
            throw new IllegalStateException("the response head has already been sent");
        }
        if (hooks == null) {
            hooks = new ArrayList<>(2);
        }
        hooks.add(hook);
    }

    /** Every problem the gateway answers with is counted by type, whoever answers (handler, filter, step). */
    @Override
    public void answer(Problem problem) {
        metrics.error(problem.type().slug());
        ProblemWriter.send(response(), problem, view.path(), requestId);
    }

    @Override
    public ResponseWriter response() {
        return diverted != null ? diverted : response;
    }

    @Override
    public void divertResponse(ResponseWriter sink) {
        this.diverted = sink;
    }

    @Override
    public ResponseWriter clientResponse(boolean storedUpstreamResponse) {
        this.storedAnswer |= storedUpstreamResponse;
        return response;
    }

    /** The writer for the upstream's response: hooks see it as relayed (unless a cache diverted it). */
    ResponseWriter relay(int status) {
        if (diverted != null) {
            return diverted;
        }
        this.status = status;
        this.relaying = true;
        return response;
    }

    @Override
    public ClientBody body() {
        return new Body();
    }

    private void beforeCommit() {
        if (!relaying) {
            status = res.status();
        }
        if (hooks != null) {
            Head head = new Head(res.status(), relaying || storedAnswer);
            for (ResponseHook hook : hooks) {
                hook.beforeHead(head);
            }
        }
    }

    private final class Head implements ResponseHead {
        private final int status;
        private final boolean fromUpstream;

        Head(int status, boolean fromUpstream) {
            this.status = status;
            this.fromUpstream = fromUpstream;
        }

        @Override
        public int status() {
            return status;
        }

        @Override
        public boolean fromUpstream() {
            return fromUpstream;
        }

        @Override
        public Optional<String> header(String name) {
            return res.header(name);
        }

        @Override
        public MutableHeaders headers() {
            return new ResponseHeaders(res);
        }
    }

    /** The front door's response, running the hooks once before the head goes out. */
    private final class ClientResponse implements ResponseWriter {
        @Override
        public void status(int code, String reason) {
            res.status(code, reason);
        }

        @Override
        public void status(int code) {
            res.status(code);
        }

        @Override
        public MutableHeaders headers() {
            return new ResponseHeaders(res);
        }

        @Override
        public void contentLength(long length) {
            res.contentLength(length);
        }

        @Override
        public void send() {
            beforeCommit();
            res.send();
        }

        @Override
        public void send(byte[] body) {
            beforeCommit();
            res.send(body);
        }

        @Override
        public OutputStream outputStream() {
            beforeCommit();
            return res.outputStream();
        }

        @Override
        public boolean committed() {
            return res.committed();
        }
    }

    /** The client's body, counted for the access log. */
    private final class Body implements ClientBody {
        @Override
        public boolean present() {
            return req.hasBody();
        }

        @Override
        public OptionalLong length() {
            return req.contentLength() >= 0 ? OptionalLong.of(req.contentLength()) : OptionalLong.empty();
        }

        @Override
        public InputStream stream() {
            return new CountingInputStream(req.body());
        }
    }

    private final class CountingInputStream extends java.io.FilterInputStream {
        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                bytesIn++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                bytesIn += n;
            }
            return n;
        }
    }
}
