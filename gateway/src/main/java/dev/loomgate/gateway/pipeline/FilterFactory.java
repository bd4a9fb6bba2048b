package dev.loomgate.gateway.pipeline;

import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * Makes the filters of one policy. Registered under its config key in a {@link FilterRegistry}; a route (or
 * the routes file's {@code default-filters:}) that has the key gets the filter, in the factory's phase.
 *
 * <p>Two steps, so that validation needs no running node: {@link #parse} turns the YAML into an immutable,
 * validated config value when a routes file is read (errors name file, line and field); {@link #create} turns
 * it into a filter when a routes version is applied, with the node's services at hand.
 *
 * @param <C> the policy's parsed config
 */
public interface FilterFactory<C> {
    /** The route key, kebab-case, e.g. {@code cors}. */
    String key();

    Phase phase();

    /**
     * @param node    the value under the key
     * @param context the route being configured, and whether the value is the file's default
     */
    C parse(YamlValue node, ParseContext context) throws ConfigException;

    Filter create(C config, FilterContext context);

    /**
     * Whether the key may appear in the routes file's {@code default-filters:}; false for a policy whose config
     * only makes sense against one route's match (e.g. {@code rewrite}).
     */
    default boolean allowedAsDefault() {
        return true;
    }
}
