package dev.loomgate.gateway.yaml;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bridges parsers that read plain {@code Map}s and fail with {@code IllegalArgumentException("field: reason")}
 * (the rate-limit policy and Redis settings parsers, also used outside YAML files) to the YAML reader: YAML
 * nodes in, {@link ConfigException}s with the full field path and the line of the offending value out.
 */
public final class PlainYaml {
    private static final Pattern FIELD_ERROR = Pattern.compile("([A-Za-z0-9_\\-.\\[\\]]+): (.*)", Pattern.DOTALL);
    private static final Pattern SEGMENT = Pattern.compile("([^.\\[\\]]+)|\\[(\\d+)]");

    private PlainYaml() {
    }

    /** A mapping as nested maps, lists and strings (scalars stay text; the plain parsers read them). */
    public static Map<String, Object> mapping(YamlValue node) throws ConfigException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, YamlValue> e : node.mapping().entrySet()) {
            out.put(e.getKey(), plain(e.getValue()));
        }
        return out;
    }

    private static Object plain(YamlValue v) throws ConfigException {
        if (v.isMapping()) {
            return mapping(v);
        }
        if (v.isSequence()) {
            List<Object> list = new ArrayList<>();
            for (YamlValue item : v.sequence()) {
                list.add(plain(item));
            }
            return list;
        }
        return v.isScalar() ? v.string() : null;
    }

    /**
     * Turns {@code "limits[0].limit: must be > 0"} into a ConfigException at the line of {@code limits[0].limit}
     * under {@code node}, or of the nearest enclosing value that exists.
     *
     * @param stripPrefix a prefix the plain parser puts before its field names (e.g. {@code redis.})
     */
    public static ConfigException located(YamlValue node, String stripPrefix, IllegalArgumentException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        Matcher m = FIELD_ERROR.matcher(message);
        if (!m.matches()) {
            return node.error(message, e);
        }
        String field = m.group(1);
        if (field.startsWith(stripPrefix)) {
            field = field.substring(stripPrefix.length());
        }
        YamlValue at = node;
        Matcher seg = SEGMENT.matcher(field);
        try {
            while (seg.find()) {
                Optional<YamlValue> next = Optional.empty();
                if (seg.group(1) != null && at.isMapping()) {
                    next = Optional.ofNullable(at.mapping().get(seg.group(1)));
                } else if (seg.group(2) != null && at.isSequence()) {
                    int i = Integer.parseInt(seg.group(2));
                    List<YamlValue> items = at.sequence();
                    next = i < items.size() ? Optional.of(items.get(i)) : Optional.empty();
                }
                if (next.isEmpty()) {
                    break;
                }
                at = next.get();
            }
        } catch (ConfigException | NumberFormatException ignored) {
            // keep the deepest node found
        }
        String path = node.path().isEmpty() ? field : node.path() + (field.startsWith("[") ? "" : ".") + field;
        return new ConfigException(node.source(), at.line(), path, m.group(2), e);
    }
}
