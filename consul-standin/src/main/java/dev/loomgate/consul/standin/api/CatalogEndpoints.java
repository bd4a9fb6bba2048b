package dev.loomgate.consul.standin.api;

import dev.loomgate.consul.standin.store.CheckState;
import dev.loomgate.consul.standin.store.ConsulError;
import dev.loomgate.consul.standin.store.HealthEntry;
import dev.loomgate.consul.standin.store.Store;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** Health and catalog reads (SPEC §4, §5) and the status endpoints (§8). */
final class CatalogEndpoints {
    static final String HEALTH_SERVICE = "/v1/health/service/";
    static final String CATALOG_SERVICE = "/v1/catalog/service/";
    private static final String LEADER = "127.0.0.1:8300";

    private final Store store;

    CatalogEndpoints(Store store) {
        this.store = store;
    }

    ApiResponse health(ApiRequest request) {
        return serviceEntries(request, HEALTH_SERVICE, q -> {
            boolean passing = passing(q);
            // ?passing is applied after the query, so the index is that of the unfiltered data (H-2)
            return entry -> !passing || entry.checks().stream().map(CheckState::status).allMatch("passing"::equals);
        }, Render::healthEntry);
    }

    /**
     * The shared shape of health/service and catalog/service: validate, block on the service's
     * entries, keep those the entry filter and {@code ?filter} accept, render them.
     */
    private ApiResponse serviceEntries(ApiRequest request, String prefix,
                                       java.util.function.Function<QueryParams, Predicate<HealthEntry>> entryFilter,
                                       java.util.function.Function<HealthEntry, JsonObject> render) {
        QueryParams q = request.query();
        String name = request.rest(prefix);
        QueryParams.Blocking blocking = q.blocking();
        String consistency = q.consistency();
        Predicate<HealthEntry> keep = entryFilter.apply(q);
        Predicate<JsonObject> filter = filter(q);
        if (name.isEmpty()) {
            throw ConsulError.badRequest("Missing service name");
        }
        List<String> tags = q.all("tag");
        Store.Indexed<List<HealthEntry>> result = store.blocking(blocking.index(), blocking.maxWait(),
                () -> store.catalog().health(name, tags));
        JsonArrayBuilder array = JsonBuilders.array();
        if (nodeMetaMatches(q)) {
            for (HealthEntry entry : result.value()) {
                if (!keep.test(entry)) {
                    continue;
                }
                JsonObject json = render.apply(entry);
                if (filter.test(json)) {
                    array.add(json);
                }
            }
        }
        return Meta.catalog(ApiResponse.json(array.build(), KvEndpoint.pretty(q)), result.index(), consistency);
    }

    private static boolean passing(QueryParams q) {
        if (!q.has("passing")) {
            return false;
        }
        return switch (q.first("passing").orElse("")) {
            case "", "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw ConsulError.badRequest("Invalid value for ?passing");
        };
    }

    private static Predicate<JsonObject> filter(QueryParams q) {
        return q.first("filter").filter(f -> !f.isEmpty()).map(Filter::parse).orElse(e -> true);
    }

    /** The deprecated {@code ?node-meta=key:value} (repeatable, all must match the node's meta). */
    private static boolean nodeMetaMatches(QueryParams q) {
        JsonObject meta = Render.nodeMeta();
        for (String pair : q.all("node-meta")) {
            int colon = pair.indexOf(':');
            String key = colon < 0 ? pair : pair.substring(0, colon);
            String value = colon < 0 ? "" : pair.substring(colon + 1);
            if (!meta.containsKey(key) || !meta.getString(key).equals(value)) {
                return false;
            }
        }
        return true;
    }

    ApiResponse catalogServices(ApiRequest request) {
        QueryParams q = request.query();
        QueryParams.Blocking blocking = q.blocking();
        String consistency = q.consistency();
        if (q.first("filter").filter(f -> !f.isEmpty()).isPresent()) {
            throw ConsulError.badRequest("Failed to create boolean expression evaluator: the Consul stand-in "
                    + "does not support ?filter on /v1/catalog/services");
        }
        Store.Indexed<Map<String, Set<String>>> result = store.blocking(blocking.index(), blocking.maxWait(),
                () -> store.catalog().serviceNames());
        JsonObjectBuilder body = JsonBuilders.object();
        result.value().forEach((name, tags) -> body.add(name, Render.strings(tags)));
        return Meta.catalog(ApiResponse.json(body.build(), KvEndpoint.pretty(q)), result.index(), consistency);
    }

    ApiResponse catalogService(ApiRequest request) {
        return serviceEntries(request, CATALOG_SERVICE, q -> entry -> true,
                entry -> Render.catalogServiceNode(entry.service(), entry.node().identity()));
    }

    ApiResponse leader(ApiRequest request) {
        return ApiResponse.json(Json.createValue(LEADER), KvEndpoint.pretty(request.query()));
    }

    ApiResponse peers(ApiRequest request) {
        return ApiResponse.json(JsonBuilders.array().add(LEADER).build(), KvEndpoint.pretty(request.query()));
    }
}
