package dev.loomgate.gateway.routing;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.loomgate.gateway.pipeline.Pipelines;
import dev.loomgate.gateway.route.RouteTable;
import dev.loomgate.gateway.upstream.Upstream;

/** Everything a request needs to be routed (routes, their pipelines, upstreams), as one immutable value swapped atomically. */
public record RoutingSnapshot(String version, RouteTable routes, Map<String, Upstream> upstreams, Pipelines pipelines,
                              Instant appliedAt) {
    public RoutingSnapshot {
        upstreams = Map.copyOf(upstreams);
    }

    public static RoutingSnapshot empty() {
        return new RoutingSnapshot("none", RouteTable.empty(), Map.of(), Pipelines.none(), Instant.now());
    }

    /** The ids of the snapshot's routes. */
    public Set<String> routeIds() {
        return routes.routeIds();
    }

    public Optional<Upstream> upstream(String name) {
        return Optional.ofNullable(upstreams.get(name));
    }
}
