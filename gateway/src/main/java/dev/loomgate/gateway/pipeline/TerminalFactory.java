package dev.loomgate.gateway.pipeline;

import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * Makes a route's terminal step when the route has this factory's key (at most one terminal key per route);
 * routes without one are proxied to their upstream. Parsed and created like {@link FilterFactory}.
 *
 * @param <C> the terminal step's parsed config
 */
public interface TerminalFactory<C> {
    String key();

    C parse(YamlValue node, ParseContext context) throws ConfigException;

    TerminalStep create(C config, FilterContext context);
}
