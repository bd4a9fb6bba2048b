package dev.loomgate.gateway.pipeline;

import java.util.Objects;

/**
 * A terminal step's parsed config together with its factory.
 *
 * @param <C> the parsed config's type
 */
public record ConfiguredTerminal<C>(TerminalFactory<C> factory, C config) {
    public ConfiguredTerminal {
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(config, "config");
    }

    public String key() {
        return factory.key();
    }

    TerminalStep create(FilterContext context) {
        return factory.create(config, context);
    }
}
