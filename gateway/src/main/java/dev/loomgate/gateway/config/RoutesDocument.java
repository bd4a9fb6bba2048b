package dev.loomgate.gateway.config;

import java.util.List;
import java.util.Objects;

import dev.loomgate.gateway.route.Route;
import dev.loomgate.gateway.route.RouteTable;
import dev.loomgate.gateway.upstream.UpstreamDefinition;

/**
 * A validated routes file: its version, its routes in file order, and its upstreams.
 * Every route names an upstream of the same document.
 */
public record RoutesDocument(String version, List<Route> routes, List<UpstreamDefinition> upstreams) {
    public RoutesDocument {
        Objects.requireNonNull(version, "version");
        routes = List.copyOf(routes);
        upstreams = List.copyOf(upstreams);
    }

    /** Compiles the routes (cheap enough to call once per config version; not per request). */
    public RouteTable routeTable() {
        return RouteTable.of(routes);
    }
}
