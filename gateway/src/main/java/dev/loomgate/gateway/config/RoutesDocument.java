package dev.loomgate.gateway.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.loomgate.gateway.pipeline.PipelineSpec;
import dev.loomgate.gateway.route.Route;
import dev.loomgate.gateway.route.RouteTable;
import dev.loomgate.gateway.upstream.UpstreamDefinition;

/**
 * A validated routes file: its version, its routes in file order, its upstreams, and each route's parsed
 * pipeline (by route id). Every route names an upstream of the same document.
 */
public record RoutesDocument(String version, List<Route> routes, List<UpstreamDefinition> upstreams,
                             Map<String, PipelineSpec> pipelines) {
    public RoutesDocument {
        Objects.requireNonNull(version, "version");
        routes = List.copyOf(routes);
        upstreams = List.copyOf(upstreams);
        pipelines = Map.copyOf(pipelines);
    }

    /** The route's parsed pipeline; empty when it has no policies. */
    public PipelineSpec pipeline(String routeId) {
        return pipelines.getOrDefault(routeId, PipelineSpec.empty());
    }

    /** Compiles the routes (cheap enough to call once per config version; not per request). */
    public RouteTable routeTable() {
        return RouteTable.of(routes);
    }
}
