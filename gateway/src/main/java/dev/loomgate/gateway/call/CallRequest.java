package dev.loomgate.gateway.call;

import java.util.function.Consumer;

import dev.loomgate.gateway.client.UpstreamRequest;
import dev.loomgate.gateway.http.RequestView;
import dev.loomgate.gateway.route.Route;
import dev.loomgate.gateway.trace.RequestTrace;

/**
 * What one call to an upstream needs from the request: the route (timeouts, retry policy), the
 * client's request (the balancer reads it), the request to send, and who wants to know the
 * endpoint of every try (the access log keeps the last), and the request's trace (each try's client span).
 */
public record CallRequest(Route route, RequestView view, UpstreamRequest request, Consumer<String> endpointSeen,
                          RequestTrace trace) {
    /** An untraced request. */
    public CallRequest(Route route, RequestView view, UpstreamRequest request, Consumer<String> endpointSeen) {
        this(route, view, request, endpointSeen, RequestTrace.UNSAMPLED);
    }
}
