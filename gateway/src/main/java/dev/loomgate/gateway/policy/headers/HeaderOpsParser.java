package dev.loomgate.gateway.policy.headers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.loomgate.gateway.http.HttpTokens;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/** Reads a {@code request-headers:} or {@code response-headers:} block: {@code set}, {@code add}, {@code remove}. */
final class HeaderOpsParser {
    /** In the order the "unknown key (allowed: ...)" error lists them. */
    private static final Set<String> KEYS = new LinkedHashSet<>(List.of("set", "add", "remove"));

    private HeaderOpsParser() {
    }

    static HeaderOps parse(YamlValue node) throws ConfigException {
        YamlValue.Fields f = node.fields(KEYS);
        Map<String, String> set = f.has("set") ? values(f.required("set")) : Map.of();
        Map<String, String> add = f.has("add") ? values(f.required("add")) : Map.of();
        List<String> remove = new ArrayList<>();
        if (f.has("remove")) {
            for (YamlValue r : f.required("remove").sequence()) {
                remove.add(name(r, r.nonBlankString()));
            }
        }
        return new HeaderOps(set, add, remove);
    }

    private static Map<String, String> values(YamlValue node) throws ConfigException {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, String> seenLower = new LinkedHashMap<>();
        for (Map.Entry<String, YamlValue> e : node.mapping().entrySet()) {
            String name = name(e.getValue(), e.getKey());
            if (seenLower.putIfAbsent(name.toLowerCase(Locale.ROOT), name) != null) {
                throw e.getValue().error("header given twice (names are case-insensitive)");
            }
            if (!e.getValue().isScalar()) {
                throw e.getValue().error("must be a string value");
            }
            String value = e.getValue().string();
            if (!HttpTokens.isValidHeaderValue(value)) {
                throw e.getValue().error("header value must not contain CR, LF or NUL");
            }
            out.put(name, value);
        }
        return out;
    }

    private static String name(YamlValue at, String name) throws ConfigException {
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
