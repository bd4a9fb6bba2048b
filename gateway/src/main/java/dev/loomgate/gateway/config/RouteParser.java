package dev.loomgate.gateway.config;

import dev.loomgate.gateway.yaml.YamlValue;
import dev.loomgate.gateway.yaml.ConfigException;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.PatternSyntaxException;

import dev.loomgate.gateway.http.HttpTokens;
import dev.loomgate.gateway.pipeline.FilterRegistry;
import dev.loomgate.gateway.pipeline.PipelineSpec;
import dev.loomgate.gateway.route.PathPattern;
import dev.loomgate.gateway.route.Route;
import dev.loomgate.gateway.route.ValueCondition;

/** Parses one entry of {@code routes:}; split from {@link RoutesParser} to keep files short. */
final class RouteParser {
    /** The keys of the route itself; every other key is a policy of the registry (rewrite, rate-limit, ...). */
    private static final List<String> CORE_KEYS = List.of("id", "upstream", "match");
    private static final List<String> RESILIENCE_KEYS = List.of("timeouts", "retries");
    private static final Set<String> MATCH_KEYS = RoutesParser.orderedSet(
            "hosts", "path", "path-prefix", "methods", "headers", "query");
    private static final Set<String> CONDITION_KEYS = RoutesParser.orderedSet("name", "equals", "regex", "present");

    private RouteParser() {
    }

    /** A parsed route and its pipeline. */
    record Entry(Route route, PipelineSpec pipeline) {
    }

    /** The allowed keys of a route entry, in the order errors list them. */
    static Set<String> routeKeys(FilterRegistry policies) {
        Set<String> keys = new LinkedHashSet<>(CORE_KEYS);
        keys.addAll(policies.keys());
        keys.addAll(RESILIENCE_KEYS);
        return keys;
    }

    /**
     * @param defaults the file's default policies by key, for keys the route does not set itself
     */
    static Entry route(YamlValue node, Set<String> upstreams, FilterRegistry policies, Map<String, YamlValue> defaults)
            throws ConfigException {
        YamlValue.Fields f = node.fields(routeKeys(policies));
        String id = f.required("id").nonBlankString();
        YamlValue upstreamNode = f.required("upstream");
        String upstream = upstreamNode.nonBlankString();
        if (!upstreams.contains(upstream)) {
            throw upstreamNode.error("unknown upstream '" + upstream + "'"
                    + (upstreams.isEmpty() ? " (no upstreams are defined)" : " (defined: " + String.join(", ", new TreeSet<>(upstreams)) + ")"));
        }
        Route.Builder b = Route.builder(id, upstream);
        Optional<YamlValue> match = f.optional("match");
        if (match.isPresent()) {
            match(match.get(), b);
        }
        b.resilience(ResilienceParser.route(f));
        Route route = b.build();
        return new Entry(route, policies.parse(route, f::optional, defaults, upstreams));
    }

    private static PathPattern match(YamlValue node, Route.Builder b) throws ConfigException {
        YamlValue.Fields f = node.fields(MATCH_KEYS);
        if (f.has("hosts")) {
            for (YamlValue h : f.required("hosts").sequence()) {
                String host = h.nonBlankString();
                try {
                    b.host(host);
                } catch (IllegalArgumentException e) {
                    throw h.error(e.getMessage());
                }
            }
        }
        if (f.has("path") && f.has("path-prefix")) {
            throw f.required("path-prefix").error("only one of path and path-prefix may be given");
        }
        PathPattern pattern = PathPattern.any();
        if (f.has("path")) {
            YamlValue p = f.required("path");
            String text = p.string();
            try {
                pattern = PathPattern.path(text);
            } catch (IllegalArgumentException e) {
                throw p.error(e.getMessage());
            }
        } else if (f.has("path-prefix")) {
            YamlValue p = f.required("path-prefix");
            try {
                pattern = PathPattern.prefix(p.string());
            } catch (IllegalArgumentException e) {
                throw p.error(e.getMessage());
            }
        }
        b.path(pattern);
        if (f.has("methods")) {
            for (YamlValue m : f.required("methods").sequence()) {
                try {
                    b.method(m.nonBlankString());
                } catch (IllegalArgumentException e) {
                    throw m.error(e.getMessage());
                }
            }
        }
        if (f.has("headers")) {
            for (YamlValue c : f.required("headers").sequence()) {
                b.header(condition(c, true));
            }
        }
        if (f.has("query")) {
            for (YamlValue c : f.required("query").sequence()) {
                b.query(condition(c, false));
            }
        }
        return pattern;
    }

    private static ValueCondition condition(YamlValue node, boolean header) throws ConfigException {
        YamlValue.Fields f = node.fields(CONDITION_KEYS);
        YamlValue nameNode = f.required("name");
        String name = nameNode.nonBlankString();
        if (header && !HttpTokens.isToken(name)) {
            throw nameNode.error("'" + name + "' is not a valid header name");
        }
        int forms = (f.has("equals") ? 1 : 0) + (f.has("regex") ? 1 : 0) + (f.has("present") ? 1 : 0);
        if (forms != 1) {
            throw node.error("needs exactly one of equals, regex, present");
        }
        if (f.has("equals")) {
            return ValueCondition.equalTo(name, f.required("equals").string());
        }
        if (f.has("regex")) {
            YamlValue r = f.required("regex");
            String regex = r.string();
            try {
                return ValueCondition.matching(name, regex);
            } catch (PatternSyntaxException e) {
                throw r.error("invalid regex '" + regex + "': " + e.getDescription()
                        + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""), e);
            }
        }
        return f.required("present").bool() ? ValueCondition.present(name) : ValueCondition.absent(name);
    }
}
