package dev.loomgate.gateway.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.loomgate.gateway.call.CallOutcome;
import dev.loomgate.gateway.call.UpstreamCalls;
import dev.loomgate.gateway.client.HttpFields;
import dev.loomgate.gateway.client.RequestBody;
import dev.loomgate.gateway.client.UpstreamRequest;
import dev.loomgate.gateway.client.UpstreamResponse;
import dev.loomgate.gateway.frontdoor.ClientBodyException;
import dev.loomgate.gateway.http.MutableHeaders;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.pipeline.ClientBody;
import dev.loomgate.gateway.pipeline.Exchange;
import dev.loomgate.gateway.pipeline.ResponseWriter;
import dev.loomgate.gateway.pipeline.TerminalStep;
import dev.loomgate.gateway.resilience.RetryPolicy;
import dev.loomgate.gateway.upstream.Upstream;

/**
 * The default terminal step: send the request to the route's upstream (through the upstream-call decorators
 * of {@link UpstreamCalls}) and relay the response, streaming bodies both ways.
 */
final class UpstreamProxyStep implements TerminalStep {
    private static final Logger LOG = Logger.getLogger(UpstreamProxyStep.class.getName());
    /** Request bodies up to this size are read first, so the request can be replayed. */
    private static final int BUFFER_REQUEST_BODY = 64 * 1024;
    /** Response bodies up to this size are relayed in one write with a Content-Length. */
    private static final int BUFFER_RESPONSE_BODY = 256 * 1024;
    private static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final UpstreamCalls calls;

    UpstreamProxyStep(UpstreamCalls calls) {
        this.calls = calls;
    }

    /** The exchange is always the proxy's own: {@link ProxyHandler} creates every exchange a chain carries. */
    @Override
    public void handle(Exchange exchange) {
        ProxyExchange ex = (ProxyExchange) exchange;
        Optional<Upstream> upstream = ex.snapshot.upstream(ex.upstreamName);
        if (upstream.isEmpty()) {
            ex.answer(new Problem(Problem.Type.NO_HEALTHY_ENDPOINT,
                    "upstream '" + ex.upstreamName + "' has no available endpoint"));
            return;
        }
        UpstreamRequest request;
        try {
            request = request(ex);
        } catch (ClientBodyException e) {
            ex.answer(ProxyHandler.problem(e.rejection()));
            return;
        } catch (IOException e) {
            ex.answer(new Problem(Problem.Type.BAD_REQUEST, "reading the request body failed: " + e.getMessage()));
            return;
        }
        switch (calls.forward(upstream.get(), ex.match.route(), ex.view, request, e -> ex.endpoint = e, ex.spans)) {
            case CallOutcome.Failed f -> {
                f.retryAfter().ifPresent(d -> ex.response().headers().set("Retry-After",
                        Long.toString(Math.max(1, (d.toMillis() + 999) / 1000))));
                ex.answer(f.problem());
            }
            case CallOutcome.Answered a -> {
                try {
                    relay(a.response(), ex);
                } finally {
                    a.finished().run();
                }
            }
        }
    }

    private static UpstreamRequest request(ProxyExchange ex) throws IOException {
        String query = ex.view.rawQuery();
        String path = ex.upstreamPath();
        String target = query.isEmpty() ? path : path + "?" + query;
        String method = ex.view.method();
        boolean idempotent = Methods.idempotent(method) || ex.req.headers().contains(IDEMPOTENCY_KEY);
        RetryPolicy retries = ex.match.route().resilience().retries();
        long buffer = retries.retries() ? Math.max(BUFFER_REQUEST_BODY, retries.maxBufferedBody()) : BUFFER_REQUEST_BODY;
        return new UpstreamRequest(method, target, ex.fields(), body(ex.body(), buffer, retries.retries()), idempotent);
    }

    /**
     * @param buffer        bodies up to this size are read into memory (replayable)
     * @param bufferChunked whether a chunked body is read up to {@code buffer} first too: only for
     *                      routes that retry, since it delays the first byte upstream (no full duplex)
     */
    private static RequestBody body(ClientBody client, long buffer, boolean bufferChunked) throws IOException {
        if (!client.present()) {
            return RequestBody.NONE;
        }
        OptionalLong length = client.length();
        InputStream in = client.stream();
        if (length.isPresent() && length.getAsLong() <= buffer) {
            return new RequestBody.Bytes(in.readAllBytes());
        }
        if (length.isEmpty() && bufferChunked) {
            byte[] head = in.readNBytes((int) buffer + 1);
            if (head.length <= buffer) {
                return new RequestBody.Bytes(head);
            }
            return new RequestBody.Streamed(new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(head), in), -1);
        }
        return new RequestBody.Streamed(in, length.orElse(-1));
    }

    private static void relay(UpstreamResponse response, ProxyExchange ex) {
        try (response) {
            ResponseWriter res = ex.relay(response.status());
            res.status(response.status(), response.reason());
            HttpFields h = response.headers();
            Set<String> connectionTokens = HopByHop.connectionTokens(h.all("Connection"));
            String declaredLength = null;
            MutableHeaders out = res.headers();
            for (int i = 0; i < h.size(); i++) {
                String name = h.name(i);
                if (name.equalsIgnoreCase("Content-Length")) {
                    declaredLength = h.value(i);
                    continue;
                }
                if (HopByHop.isHopByHop(name, connectionTokens) || name.equalsIgnoreCase("X-Request-Id")) {
                    continue;
                }
                out.add(name, h.value(i));
            }
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

    private static void streamBody(InputStream body, ResponseWriter res, ProxyExchange ex) throws IOException {
        byte[] buf = new byte[32 * 1024];
        OutputStream out = res.outputStream();
        int n;
        while ((n = body.read(buf)) > 0) {
            out.write(buf, 0, n);
            ex.bytesOut += n;
        }
        out.close();
    }
}
