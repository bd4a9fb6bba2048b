package dev.loomgate.gateway.testing;

import dev.loomgate.gateway.config.RoutesDocument;
import dev.loomgate.gateway.route.PathRewrite;
import dev.loomgate.gateway.route.RouteMatch;

/** The path a matched request is sent upstream with: its route's {@code rewrite} policy applied, if any. */
public final class Rewrites {
    private Rewrites() {
    }

    public static String upstreamPath(RoutesDocument doc, RouteMatch match) {
        return doc.pipeline(match.route().id()).config("rewrite", PathRewrite.class)
                .map(match::rewritten).orElse(match.path());
    }
}
