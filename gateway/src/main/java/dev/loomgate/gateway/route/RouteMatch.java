package dev.loomgate.gateway.route;

import java.util.Map;
import java.util.Objects;

/**
 * The route chosen for a request.
 *
 * @param route         the route
 * @param pathVariables template variables, percent-decoded; empty for non-template routes
 * @param upstreamPath  the raw request path after the route's rewrite (still encoded, no query)
 */
public record RouteMatch(Route route, Map<String, String> pathVariables, String upstreamPath) {
    public RouteMatch {
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(pathVariables, "pathVariables");
        Objects.requireNonNull(upstreamPath, "upstreamPath");
    }
}
