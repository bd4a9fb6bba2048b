package dev.loomgate.gateway.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The node's long-lived services that policies use (rate-limit engine, later session and cache stores), by type. */
public final class NodeServices {
    private static final NodeServices NONE = new NodeServices(Map.of());

    private final Map<Class<?>, Object> byType;

    private NodeServices(Map<Class<?>, Object> byType) {
        this.byType = Map.copyOf(byType);
    }

    public static NodeServices none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    public <T> Optional<T> find(Class<T> type) {
        return Optional.ofNullable(byType.get(type)).map(type::cast);
    }

    public static final class Builder {
        private final Map<Class<?>, Object> byType = new LinkedHashMap<>();

        private Builder() {
        }

        public <T> Builder add(Class<T> type, T service) {
            byType.put(type, type.cast(service));
            return this;
        }

        public NodeServices build() {
            return new NodeServices(byType);
        }
    }
}
