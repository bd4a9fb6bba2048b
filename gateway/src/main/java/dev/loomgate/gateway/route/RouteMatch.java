package dev.loomgate.gateway.route;

import java.util.Map;

/**
 * The route a request matched, the values of its path template variables, and the path to
 * send upstream (after rewrites; raw, without query).
 */
public record RouteMatch(Route route, Map<String, String> pathVariables, String upstreamPath) {
    public RouteMatch {
        pathVariables = Map.copyOf(pathVariables);
    }
}
