package dev.loomgate.gateway.pipeline;

import java.util.Objects;

/**
 * A policy's parsed config together with the factory that creates its filter.
 *
 * @param <C> the parsed config's type
 */
public record ConfiguredFilter<C>(FilterFactory<C> factory, C config) {
    public ConfiguredFilter {
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(config, "config");
    }

    public String key() {
        return factory.key();
    }

    Filter create(FilterContext context) {
        return factory.create(config, context);
    }
}
