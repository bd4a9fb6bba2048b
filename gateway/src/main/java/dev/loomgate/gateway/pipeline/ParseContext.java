package dev.loomgate.gateway.pipeline;

import java.util.Objects;
import java.util.Set;

import dev.loomgate.gateway.route.Route;

/**
 * What a factory knows while it parses one route's value for its key.
 *
 * @param route     the route being configured (id and match; its other policies are not parsed yet)
 * @param inherited true when the value is the routes file's default ({@code default-filters:}), shared by every
 *                  route that does not set the key itself
 * @param upstreams the names of the upstreams the routes document defines (a composite route's steps name them);
 *                  empty when unknown
 */
public record ParseContext(Route route, boolean inherited, Set<String> upstreams) {
    public ParseContext {
        Objects.requireNonNull(route, "route");
        upstreams = Set.copyOf(upstreams);
    }

    public ParseContext(Route route, boolean inherited) {
        this(route, inherited, Set.of());
    }
}
