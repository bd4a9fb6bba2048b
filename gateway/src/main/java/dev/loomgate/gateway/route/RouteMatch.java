package dev.loomgate.gateway.route;

import java.util.Map;
import java.util.Objects;

/**
 * The route chosen for a request, with what the match found: the path variables of a template route and the
 * raw path they were taken from.
 */
public final class RouteMatch {
    private final Route route;
    private final Map<String, String> pathVariables;
    private final String path;
    private final String[] rawValues;

    RouteMatch(Route route, Map<String, String> pathVariables, String path, String[] rawValues) {
        this.route = Objects.requireNonNull(route, "route");
        this.pathVariables = Objects.requireNonNull(pathVariables, "pathVariables");
        this.path = Objects.requireNonNull(path, "path");
        this.rawValues = rawValues;
    }

    /** A match of {@code route} for a request the gateway serves on the route's behalf (e.g. a job's status URL). */
    public static RouteMatch of(Route route, String path) {
        return new RouteMatch(route, Map.of(), path, new String[0]);
    }

    public Route route() {
        return route;
    }

    /** Template variables, percent-decoded; empty for non-template routes. */
    public Map<String, String> pathVariables() {
        return pathVariables;
    }

    /** The raw (still percent-encoded, normalized) request path that matched, without the query. */
    public String path() {
        return path;
    }

    /**
     * The path after {@code rewrite}, still encoded: template variables are substituted with their raw values.
     *
     * @throws IllegalArgumentException when the rewrite does not fit the route's path match
     *                                  ({@link PathRewrite#checkFits})
     */
    public String rewritten(PathRewrite rewrite) {
        return rewrite.apply(path, route.path(), rawValues);
    }

    @Override
    public String toString() {
        return "RouteMatch[" + route.id() + " " + path + (pathVariables.isEmpty() ? "" : " " + pathVariables) + "]";
    }
}
