package dev.loomgate.benchmarks;

import dev.loomgate.gateway.config.RoutesDocument;
import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.route.RouteMatch;
import dev.loomgate.gateway.route.RouteTable;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.loadtests.routes.GeneratedRoutes;

import java.util.List;
import java.util.Optional;

/**
 * The generated route table and its lookups, checked: a benchmark of a table that answers wrongly would measure
 * nothing, so {@link #checked} refuses one whose lookups do not find their expected routes.
 */
record RouteFixture(GeneratedRoutes generated, RoutesDocument document, RouteTable table, List<LookupRequest> requests) {
    static final String UPSTREAM = "127.0.0.1:9";

    static RouteFixture checked(int routeCount) {
        GeneratedRoutes g = GeneratedRoutes.of(routeCount, "bench-" + routeCount, UPSTREAM);
        RoutesDocument doc = parse(g.yaml());
        RouteTable table = doc.routeTable();
        List<LookupRequest> requests = g.lookups().stream()
                .map(l -> new LookupRequest(l.method(), l.host(), l.path())).toList();
        for (int i = 0; i < requests.size(); i++) {
            GeneratedRoutes.Lookup l = g.lookups().get(i);
            Optional<String> got = table.match(requests.get(i)).map(RouteMatch::route).map(r -> r.id());
            if (!got.equals(l.expectedRouteId())) {
                throw new IllegalStateException("lookup " + l + " matched " + got + ", expected " + l.expectedRouteId());
            }
        }
        return new RouteFixture(g, doc, table, requests);
    }

    static RoutesDocument parse(String yaml) {
        try {
            return RoutesParser.parse(yaml, "generated-routes.yaml");
        } catch (ConfigException e) {
            throw new IllegalStateException("the generated routes do not parse: " + e.getMessage(), e);
        }
    }
}
