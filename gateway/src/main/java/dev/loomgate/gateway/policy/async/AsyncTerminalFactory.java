package dev.loomgate.gateway.policy.async;

import dev.loomgate.gateway.pipeline.FilterContext;
import dev.loomgate.gateway.pipeline.ParseContext;
import dev.loomgate.gateway.pipeline.TerminalFactory;
import dev.loomgate.gateway.pipeline.TerminalStep;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * {@code async: {...}} on a route: its requests are queued as jobs and answered 202 (docs/ASYNC.md) instead of being
 * proxied. Needs the node's {@link AsyncService} (a node with {@code redis:}); without it the routes version is
 * rejected with that reason.
 */
public final class AsyncTerminalFactory implements TerminalFactory<AsyncSettings> {
    public static final String KEY = "async";

    @Override
    public String key() {
        return KEY;
    }

    @Override
    public AsyncSettings parse(YamlValue node, ParseContext context) throws ConfigException {
        return AsyncSettings.parse(node);
    }

    @Override
    public TerminalStep create(AsyncSettings config, FilterContext context) {
        return context.requireService(AsyncRoutes.class, "async").step(context.routeId(), config);
    }
}
