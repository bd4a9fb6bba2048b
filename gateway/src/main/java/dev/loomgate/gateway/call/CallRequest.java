package dev.loomgate.gateway.call;

import java.util.function.Consumer;

import dev.loomgate.gateway.client.UpstreamRequest;
import dev.loomgate.gateway.http.RequestView;
import dev.loomgate.gateway.route.Route;

/**
 * What one call to an upstream needs from the request: the route (timeouts, retry policy), the
 * client's request (the balancer reads it), the request to send, and who wants to know the
 * endpoint of every try (the access log keeps the last).
 */
public record CallRequest(Route route, RequestView view, UpstreamRequest request, Consumer<String> endpointSeen) {
}
