package dev.loomgate.gateway.pipeline;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import dev.loomgate.gateway.route.Route;

/**
 * The created pipelines of one routes version, by route object (identity: the snapshot's routes). Built once
 * when the version is applied and kept in the routing snapshot; requests only look up.
 */
public final class Pipelines {
    private static final Pipelines NONE = new Pipelines(new IdentityHashMap<>());

    private final IdentityHashMap<Route, RoutePipeline> byRoute;

    private Pipelines(IdentityHashMap<Route, RoutePipeline> byRoute) {
        this.byRoute = byRoute;
    }

    public static Pipelines none() {
        return NONE;
    }

    /**
     * Creates every route's filters and terminal step.
     *
     * @param specs the parsed pipelines by route id; routes without an entry get none
     * @throws IllegalStateException when a policy cannot be created on this node (a service it needs is missing)
     */
    public static Pipelines create(List<Route> routes, Map<String, PipelineSpec> specs, NodeServices services) {
        IdentityHashMap<Route, RoutePipeline> byRoute = new IdentityHashMap<>();
        for (Route route : routes) {
            PipelineSpec spec = specs.getOrDefault(route.id(), PipelineSpec.empty());
            if (spec.filters().isEmpty() && spec.terminal().isEmpty()) {
                continue;
            }
            FilterContext context = new FilterContext(route.id(), services);
            List<Filter> filters = new ArrayList<>(spec.filters().size());
            List<String> keys = new ArrayList<>(spec.filters().size());
            for (ConfiguredFilter<?> f : spec.filters()) {
                filters.add(f.create(context));
                keys.add(f.key());
            }
            byRoute.put(route, spec.terminal().map(t -> new RoutePipeline(keys, filters, t.create(context)))
                    .orElseGet(() -> new RoutePipeline(keys, filters)));
        }
        return new Pipelines(byRoute);
    }

    /** The route's pipeline; the empty one (straight to the terminal step) when it has no policies. */
    public RoutePipeline of(Route route) {
        RoutePipeline p = byRoute.get(route);
        return p == null ? RoutePipeline.empty() : p;
    }
}
