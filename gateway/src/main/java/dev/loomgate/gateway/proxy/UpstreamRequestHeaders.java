package dev.loomgate.gateway.proxy;

import java.util.Set;

import dev.loomgate.gateway.client.HttpFields;
import dev.loomgate.gateway.frontdoor.FrontDoorRequest;
import dev.loomgate.gateway.frontdoor.HeaderFields;
import dev.loomgate.gateway.observe.RequestIds;
import dev.loomgate.gateway.observe.TraceContext;

/** The headers an upstream request starts with, before the route's filters change them. */
final class UpstreamRequestHeaders implements ProxyExchange.UpstreamHeaders {
    private volatile String localPortText;

    /**
     * The client's headers minus hop-by-hop, framing and untrusted forwarding ones, plus our X-Forwarded-*,
     * request id and trace context: what the upstream request carries before the route's filters change it.
     */
    @Override
    public HttpFields build(ProxyExchange ex) {
        HeaderFields in = ex.req.headers();
        HttpFields headers = new HttpFields(in.size() + 6);
        Set<String> connectionTokens = HopByHop.connectionTokens(in.all("Connection"));
        boolean trusted = ex.view.trustedPeer();
        for (int i = 0; i < in.size(); i++) {
            String name = in.name(i);
            if (HopByHop.isHopByHop(name, connectionTokens) || name.equalsIgnoreCase("Content-Length")
                    || name.equalsIgnoreCase("Expect") || ForwardedHeaders.dropped(name, trusted)) {
                continue;
            }
            if (name.equalsIgnoreCase(RequestIds.HEADER) || name.equalsIgnoreCase(TraceContext.TRACEPARENT)
                    || name.equalsIgnoreCase(TraceContext.TRACESTATE)) {
                continue;
            }
            headers.add(name, in.value(i));
        }
        forwardedHeaders(ex.req, ex.view).addTo(headers);
        headers.add(RequestIds.HEADER, ex.requestId);
        headers.add(TraceContext.TRACEPARENT, ex.trace.traceparent());
        ex.trace.tracestate().ifPresent(v -> headers.add(TraceContext.TRACESTATE, v));
        return headers;
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

}
