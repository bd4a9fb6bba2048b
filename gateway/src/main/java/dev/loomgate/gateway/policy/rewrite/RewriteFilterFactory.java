package dev.loomgate.gateway.policy.rewrite;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.loomgate.gateway.pipeline.Filter;
import dev.loomgate.gateway.pipeline.FilterContext;
import dev.loomgate.gateway.pipeline.FilterFactory;
import dev.loomgate.gateway.pipeline.ParseContext;
import dev.loomgate.gateway.pipeline.Phase;
import dev.loomgate.gateway.route.PathPattern;
import dev.loomgate.gateway.route.PathRewrite;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * {@code rewrite:} changes the path sent upstream: {@code strip-prefix: true} or {@code replace-prefix: /v2}
 * (with {@code match.path-prefix}), or {@code path: /internal/{id}} (with a {@code match.path} template). The
 * query string is kept as the client sent it.
 */
public final class RewriteFilterFactory implements FilterFactory<PathRewrite> {
    public static final String KEY = "rewrite";
    private static final Set<String> KEYS = new LinkedHashSet<>(List.of("strip-prefix", "replace-prefix", "path"));

    @Override
    public String key() {
        return KEY;
    }

    @Override
    public Phase phase() {
        return Phase.REQUEST_TRANSFORMATION;
    }

    @Override
    public PathRewrite parse(YamlValue node, ParseContext context) throws ConfigException {
        PathPattern path = context.route().path();
        YamlValue.Fields f = node.fields(KEYS);
        int count = (f.has("strip-prefix") ? 1 : 0) + (f.has("replace-prefix") ? 1 : 0) + (f.has("path") ? 1 : 0);
        if (count > 1) {
            throw node.error("at most one of strip-prefix, replace-prefix, path may be given");
        }
        if (f.has("strip-prefix")) {
            YamlValue s = f.required("strip-prefix");
            if (!s.bool()) {
                return PathRewrite.none();
            }
            if (path.kind() != PathPattern.Kind.PREFIX) {
                throw s.error("strip-prefix needs match.path-prefix");
            }
            return PathRewrite.stripPrefix();
        }
        if (f.has("replace-prefix")) {
            YamlValue r = f.required("replace-prefix");
            if (path.kind() != PathPattern.Kind.PREFIX) {
                throw r.error("replace-prefix needs match.path-prefix");
            }
            try {
                return PathRewrite.replacePrefix(r.string());
            } catch (IllegalArgumentException e) {
                throw r.error(e.getMessage());
            }
        }
        if (f.has("path")) {
            YamlValue p = f.required("path");
            if (path.kind() != PathPattern.Kind.TEMPLATE) {
                throw p.error("rewrite.path needs a match.path template with variables");
            }
            PathRewrite template;
            try {
                template = PathRewrite.template(p.string());
            } catch (IllegalArgumentException e) {
                throw p.error(e.getMessage());
            }
            for (String v : template.variables()) {
                if (!path.variableNames().contains(v)) {
                    throw p.error("uses {" + v + "}, which match.path does not define (defined: "
                            + String.join(", ", path.variableNames()) + ")");
                }
            }
            return template;
        }
        return PathRewrite.none();
    }

    /** A rewrite is written against one route's path match. */
    @Override
    public boolean allowedAsDefault() {
        return false;
    }

    @Override
    public Filter create(PathRewrite rewrite, FilterContext context) {
        if (rewrite.kind() == PathRewrite.Kind.NONE) {
            return (exchange, chain) -> chain.proceed();
        }
        return (exchange, chain) -> {
            exchange.upstreamPath(exchange.match().rewritten(rewrite));
            chain.proceed();
        };
    }
}
