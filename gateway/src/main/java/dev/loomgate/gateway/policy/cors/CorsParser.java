package dev.loomgate.gateway.policy.cors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.loomgate.gateway.http.HttpTokens;
import dev.loomgate.gateway.route.Route;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/** Reads a {@code cors:} block; every error names the offending value's line and field. */
final class CorsParser {
    /** In the order the "unknown key (allowed: ...)" error lists them. */
    private static final Set<String> KEYS = new LinkedHashSet<>(List.of("allow-origins", "allow-methods",
            "allow-headers", "expose-headers", "allow-credentials", "max-age"));
    /** Methods the Fetch standard forbids: browsers never send them, so allowing them is a mistake. */
    private static final Set<String> FORBIDDEN_METHODS = Set.of("CONNECT", "TRACE", "TRACK");
    /** Browsers cap the preflight cache (Chromium at 2 h, Firefox at 24 h); more is surely a typo. */
    private static final Duration MAX_MAX_AGE = Duration.ofHours(24);

    private CorsParser() {
    }

    /**
     * @param route     the route, for the check that preflights (OPTIONS) can reach it
     * @param inherited whether the block is the file's default, which routes limited to other methods may inherit
     */
    static CorsPolicy parse(YamlValue node, Route route, boolean inherited) throws ConfigException {
        if (!node.isMapping()) {
            throw node.error("expected a cors mapping (allow-origins, ...) or 'off'");
        }
        YamlValue.Fields f = node.fields(KEYS);
        CorsPolicy.Builder b = CorsPolicy.builder();
        YamlValue originsNode = f.required("allow-origins");
        List<String> origins = origins(originsNode);
        b.allowOrigins(origins);
        if (f.has("allow-methods")) {
            b.allowMethods(methods(f.required("allow-methods")));
        }
        if (f.has("allow-headers")) {
            b.allowHeaders(headerNames(f.required("allow-headers")));
        }
        List<String> expose = List.of();
        if (f.has("expose-headers")) {
            expose = headerNames(f.required("expose-headers"));
            b.exposeHeaders(expose);
        }
        if (f.has("allow-credentials")) {
            YamlValue c = f.required("allow-credentials");
            boolean credentials = c.bool();
            if (credentials && origins.contains(CorsPolicy.ANY)) {
                throw c.error("cannot be true with allow-origins \"*\": browsers refuse credentials from a wildcard"
                        + " origin; list the origins instead");
            }
            if (credentials && expose.contains(CorsPolicy.ANY)) {
                throw c.error("cannot be true with expose-headers \"*\": with credentials a browser reads \"*\" as"
                        + " a header name; list the headers instead");
            }
            b.allowCredentials(credentials);
        }
        if (f.has("max-age")) {
            b.maxAge(maxAge(f.required("max-age")));
        }
        if (!inherited && !route.methods().isEmpty() && !route.methods().contains("OPTIONS")) {
            throw node.error("the route's match.methods " + route.methods() + " leave out OPTIONS, so preflights"
                    + " would never reach cors; add OPTIONS to match.methods");
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }

    private static List<String> origins(YamlValue list) throws ConfigException {
        List<YamlValue> entries = nonEmpty(list);
        List<String> out = new ArrayList<>();
        Map<String, YamlValue> seen = new HashMap<>();
        for (YamlValue e : entries) {
            String text = e.nonBlankString().strip();
            if (text.equals(CorsPolicy.ANY)) {
                if (entries.size() > 1) {
                    throw e.error("\"*\" allows every origin; give it alone");
                }
                out.add(text);
                continue;
            }
            OriginPattern p;
            try {
                p = OriginPattern.parse(text);
            } catch (IllegalArgumentException ex) {
                throw e.error(ex.getMessage());
            }
            YamlValue earlier = seen.putIfAbsent(p.toString(), e);
            if (earlier != null) {
                throw e.error("'" + text + "' is the same origin as line " + earlier.line());
            }
            out.add(text);
        }
        return out;
    }

    private static List<String> methods(YamlValue list) throws ConfigException {
        List<YamlValue> entries = nonEmpty(list);
        List<String> out = new ArrayList<>();
        for (YamlValue e : entries) {
            String m = e.nonBlankString().strip().toUpperCase(Locale.ROOT);
            if (m.equals(CorsPolicy.ANY)) {
                if (entries.size() > 1) {
                    throw e.error("\"*\" allows every method; give it alone");
                }
            } else if (!HttpTokens.isToken(m)) {
                throw e.error("'" + e.string() + "' is not a method (a token such as GET or PUT)");
            } else if (FORBIDDEN_METHODS.contains(m)) {
                throw e.error("browsers never send " + m + " (a forbidden method in the Fetch standard)");
            }
            if (out.contains(m)) {
                throw e.error("method " + m + " is given twice");
            }
            out.add(m);
        }
        return out;
    }

    private static List<String> headerNames(YamlValue list) throws ConfigException {
        List<YamlValue> entries = list.sequence();
        List<String> out = new ArrayList<>();
        Set<String> seenLower = new LinkedHashSet<>();
        for (YamlValue e : entries) {
            String name = e.nonBlankString().strip();
            if (name.equals(CorsPolicy.ANY)) {
                if (entries.size() > 1) {
                    throw e.error("\"*\" means every header; give it alone");
                }
            } else if (!HttpTokens.isToken(name)) {
                throw e.error("'" + name + "' is not a valid header name");
            }
            if (!seenLower.add(name.toLowerCase(Locale.ROOT))) {
                throw e.error("header " + name + " is given twice (names are case-insensitive)");
            }
            out.add(name);
        }
        return out;
    }

    private static Duration maxAge(YamlValue node) throws ConfigException {
        Duration d = node.duration();
        if (d.toMillis() % 1000 != 0) {
            throw node.error("must be whole seconds (Access-Control-Max-Age counts seconds), got " + node.string());
        }
        if (d.compareTo(MAX_MAX_AGE) > 0) {
            throw node.error("must be at most 24h (browsers cap the preflight cache: Chromium at 2h, Firefox at 24h)");
        }
        return d;
    }

    private static List<YamlValue> nonEmpty(YamlValue list) throws ConfigException {
        List<YamlValue> entries = list.sequence();
        if (entries.isEmpty()) {
            throw list.error("must not be empty");
        }
        return entries;
    }
}
