package dev.loomgate.gateway.pipeline;

import java.util.Objects;
import java.util.Optional;

/**
 * What a factory may use when it creates a route's filter: the route's id and the node's services (e.g. the
 * rate-limit engine). Services are looked up by type; a policy that needs one it cannot find fails the routes
 * version with a clear reason instead of running without it.
 */
public final class FilterContext {
    private final String routeId;
    private final NodeServices services;

    public FilterContext(String routeId, NodeServices services) {
        this.routeId = Objects.requireNonNull(routeId, "routeId");
        this.services = Objects.requireNonNull(services, "services");
    }

    public String routeId() {
        return routeId;
    }

    public <T> Optional<T> service(Class<T> type) {
        return services.find(type);
    }

    /** @throws IllegalStateException when the node has no such service */
    public <T> T requireService(Class<T> type, String neededBy) {
        return services.find(type).orElseThrow(() -> new IllegalStateException(neededBy + " of route '" + routeId
                + "' needs a " + type.getSimpleName() + ", which this node does not provide"));
    }
}
