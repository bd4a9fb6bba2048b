package dev.loomgate.gateway.pipeline;

import java.util.Objects;

import dev.loomgate.gateway.route.Route;

/**
 * What a factory knows while it parses one route's value for its key.
 *
 * @param route     the route being configured (id and match; its other policies are not parsed yet)
 * @param inherited true when the value is the routes file's default ({@code default-filters:}), shared by every
 *                  route that does not set the key itself
 */
public record ParseContext(Route route, boolean inherited) {
    public ParseContext {
        Objects.requireNonNull(route, "route");
    }
}
