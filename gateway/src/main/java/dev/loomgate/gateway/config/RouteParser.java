package dev.loomgate.gateway.config;

import dev.loomgate.gateway.yaml.YamlValue;
import dev.loomgate.gateway.yaml.ConfigException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.PatternSyntaxException;

import dev.loomgate.gateway.ratelimit.RateLimitPolicy;
import dev.loomgate.gateway.route.HeaderOps;
import dev.loomgate.gateway.http.HttpTokens;
import dev.loomgate.gateway.route.PathPattern;
import dev.loomgate.gateway.route.PathRewrite;
import dev.loomgate.gateway.route.Route;
import dev.loomgate.gateway.route.ValueCondition;

/** Parses one entry of {@code routes:}; split from {@link RoutesParser} to keep files short. */
final class RouteParser {
    private static final Set<String> ROUTE_KEYS = RoutesParser.orderedSet(
            "id", "upstream", "match", "rewrite", "request-headers", "response-headers", "rate-limit",
            "timeouts", "retries");
    private static final Set<String> MATCH_KEYS = RoutesParser.orderedSet(
            "hosts", "path", "path-prefix", "methods", "headers", "query");
    private static final Set<String> CONDITION_KEYS = RoutesParser.orderedSet("name", "equals", "regex", "present");
    private static final Set<String> REWRITE_KEYS = RoutesParser.orderedSet("strip-prefix", "replace-prefix", "path");
    private static final Set<String> HEADER_OPS_KEYS = RoutesParser.orderedSet("set", "add", "remove");

    private RouteParser() {
    }

    static Route route(YamlValue node, Set<String> upstreams) throws ConfigException {
        return route(node, upstreams, Optional.empty());
    }

    /** {@code defaultRateLimit} applies unless the route has its own {@code rate-limit} (or {@code rate-limit: off}). */
    static Route route(YamlValue node, Set<String> upstreams, Optional<RateLimitPolicy> defaultRateLimit)
            throws ConfigException {
        YamlValue.Fields f = node.fields(ROUTE_KEYS);
        String id = f.required("id").nonBlankString();
        YamlValue upstreamNode = f.required("upstream");
        String upstream = upstreamNode.nonBlankString();
        if (!upstreams.contains(upstream)) {
            throw upstreamNode.error("unknown upstream '" + upstream + "'"
                    + (upstreams.isEmpty() ? " (no upstreams are defined)" : " (defined: " + String.join(", ", new TreeSet<>(upstreams)) + ")"));
        }
        Route.Builder b = Route.builder(id, upstream);
        Optional<YamlValue> match = f.optional("match");
        PathPattern path = PathPattern.any();
        if (match.isPresent()) {
            path = match(match.get(), b);
        }
        Optional<YamlValue> rewrite = f.optional("rewrite");
        if (rewrite.isPresent()) {
            rewrite(rewrite.get(), path, b);
        }
        Optional<YamlValue> req = f.optional("request-headers");
        if (req.isPresent()) {
            b.requestHeaders(headerOps(req.get()));
        }
        Optional<YamlValue> resp = f.optional("response-headers");
        if (resp.isPresent()) {
            b.responseHeaders(headerOps(resp.get()));
        }
        b.resilience(ResilienceParser.route(f));
        Optional<YamlValue> rateLimit = f.optional("rate-limit");
        b.rateLimit(rateLimit.isPresent()
                ? RateLimitConfig.policy(rateLimit.get(), RateLimitConfig.policyIdFor(id)) : defaultRateLimit);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw rewrite.orElse(node).error(e.getMessage());
        }
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

    private static void rewrite(YamlValue node, PathPattern path, Route.Builder b) throws ConfigException {
        PathPattern.Kind pathKind = path.kind();
        YamlValue.Fields f = node.fields(REWRITE_KEYS);
        int count = (f.has("strip-prefix") ? 1 : 0) + (f.has("replace-prefix") ? 1 : 0) + (f.has("path") ? 1 : 0);
        if (count > 1) {
            throw node.error("at most one of strip-prefix, replace-prefix, path may be given");
        }
        if (f.has("strip-prefix")) {
            YamlValue s = f.required("strip-prefix");
            if (s.bool()) {
                if (pathKind != PathPattern.Kind.PREFIX) {
                    throw s.error("strip-prefix needs match.path-prefix");
                }
                b.rewrite(PathRewrite.stripPrefix());
            }
        } else if (f.has("replace-prefix")) {
            YamlValue r = f.required("replace-prefix");
            String text = r.string();
            if (pathKind != PathPattern.Kind.PREFIX) {
                throw r.error("replace-prefix needs match.path-prefix");
            }
            try {
                b.rewrite(PathRewrite.replacePrefix(text));
            } catch (IllegalArgumentException e) {
                throw r.error(e.getMessage());
            }
        } else if (f.has("path")) {
            YamlValue p = f.required("path");
            String text = p.string();
            if (pathKind != PathPattern.Kind.TEMPLATE) {
                throw p.error("rewrite.path needs a match.path template with variables");
            }
            PathRewrite template;
            try {
                template = PathRewrite.template(text);
            } catch (IllegalArgumentException e) {
                throw p.error(e.getMessage());
            }
            for (String v : template.variables()) {
                if (!path.variableNames().contains(v)) {
                    throw p.error("uses {" + v + "}, which match.path does not define (defined: "
                            + String.join(", ", path.variableNames()) + ")");
                }
            }
            b.rewrite(template);
        }
    }

    private static HeaderOps headerOps(YamlValue node) throws ConfigException {
        YamlValue.Fields f = node.fields(HEADER_OPS_KEYS);
        Map<String, String> set = headerValues(f.optional("set"));
        Map<String, String> add = headerValues(f.optional("add"));
        List<String> remove = new ArrayList<>();
        if (f.has("remove")) {
            for (YamlValue r : f.required("remove").sequence()) {
                remove.add(headerName(r, r.nonBlankString()));
            }
        }
        return new HeaderOps(set, add, remove);
    }

    private static Map<String, String> headerValues(Optional<YamlValue> node) throws ConfigException {
        Map<String, String> out = new LinkedHashMap<>();
        if (node.isEmpty()) {
            return out;
        }
        Map<String, String> seenLower = new LinkedHashMap<>();
        for (Map.Entry<String, YamlValue> e : node.get().mapping().entrySet()) {
            String name = headerName(e.getValue(), e.getKey());
            if (seenLower.putIfAbsent(name.toLowerCase(Locale.ROOT), name) != null) {
                throw e.getValue().error("header given twice (names are case-insensitive)");
            }
            String value = e.getValue().isScalar() ? e.getValue().string() : "";
            if (!e.getValue().isScalar()) {
                throw e.getValue().error("must be a string value");
            }
            if (!HttpTokens.isValidHeaderValue(value)) {
                throw e.getValue().error("header value must not contain CR, LF or NUL");
            }
            out.put(name, value);
        }
        return out;
    }

    private static String headerName(YamlValue at, String name) throws ConfigException {
        if (!HttpTokens.isToken(name)) {
            throw at.error("'" + name + "' is not a valid header name");
        }
        if (HttpTokens.isProtectedHeader(name)) {
            throw at.error("header '" + name + "' cannot be changed by a route"
                    + " (hop-by-hop headers, Proxy-*, Host and Content-Length are managed by the proxy)");
        }
        return name;
    }
}
