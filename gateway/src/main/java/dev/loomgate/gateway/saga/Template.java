package dev.loomgate.gateway.saga;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * A body or text with {@code ${...}} references ({@link Expr}). A body template mirrors its YAML: mappings become
 * JSON objects, lists arrays; a scalar that is exactly one reference becomes that JSON value (keeping its type),
 * any other scalar is text with references spliced in (numbers, true/false and null written bare stay JSON).
 */
sealed interface Template {
    Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    JsonValue render(JsonObject context);

    /** Every reference inside, for the parser's checks. */
    List<Expr> refs();

    static Template parse(YamlValue node) throws ConfigException {
        if (node.isMapping()) {
            Map<String, Template> fields = new LinkedHashMap<>();
            for (Map.Entry<String, YamlValue> e : node.mapping().entrySet()) {
                fields.put(e.getKey(), parse(e.getValue()));
            }
            return new Obj(fields);
        }
        if (node.isSequence()) {
            List<Template> items = new ArrayList<>();
            for (YamlValue v : node.sequence()) {
                items.add(parse(v));
            }
            return new Arr(items);
        }
        if (!node.isScalar()) {
            return new Literal(JsonValue.NULL);
        }
        Text text = Text.parse(node);
        if (text.parts().size() == 1 && text.parts().get(0) instanceof Expr e) {
            return new Whole(e);
        }
        if (text.refs().isEmpty()) {
            String s = node.string();
            if (NUMBER.matcher(s).matches()) {
                return new Literal(Json.createReader(new java.io.StringReader(s)).readValue());
            }
            if (s.equals("true") || s.equals("false") || s.equals("null")) {
                return new Literal(s.equals("true") ? JsonValue.TRUE : s.equals("false") ? JsonValue.FALSE : JsonValue.NULL);
            }
        }
        return text;
    }

    record Obj(Map<String, Template> fields) implements Template {
        public JsonValue render(JsonObject context) {
            JsonObjectBuilder b = Json.createObjectBuilder();
            fields.forEach((k, v) -> b.add(k, v.render(context)));
            return b.build();
        }

        public List<Expr> refs() {
            return fields.values().stream().flatMap(t -> t.refs().stream()).toList();
        }
    }

    record Arr(List<Template> items) implements Template {
        public JsonValue render(JsonObject context) {
            JsonArrayBuilder b = Json.createArrayBuilder();
            items.forEach(t -> b.add(t.render(context)));
            return b.build();
        }

        public List<Expr> refs() {
            return items.stream().flatMap(t -> t.refs().stream()).toList();
        }
    }

    record Whole(Expr expr) implements Template {
        public JsonValue render(JsonObject context) {
            return expr.eval(context).orElse(JsonValue.NULL);
        }

        public List<Expr> refs() {
            return List.of(expr);
        }
    }

    record Literal(JsonValue value) implements Template {
        public JsonValue render(JsonObject context) {
            return value;
        }

        public List<Expr> refs() {
            return List.of();
        }
    }

    /** Literal text and references, e.g. a path {@code /orders/${steps.create.body.id}/cancel}. */
    record Text(List<Object> parts) implements Template {
        static Text parse(YamlValue node) throws ConfigException {
            try {
                return parse(node.string());
            } catch (IllegalArgumentException e) {
                throw node.error(e.getMessage());
            }
        }

        static Text parse(String s) {
            List<Object> parts = new ArrayList<>();
            int i = 0;
            while (i < s.length()) {
                int open = s.indexOf("${", i);
                if (open < 0) {
                    parts.add(s.substring(i));
                    break;
                }
                if (open > i) {
                    parts.add(s.substring(i, open));
                }
                int close = s.indexOf('}', open);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed ${ at offset " + open);
                }
                parts.add(Expr.parse(s.substring(open + 2, close)));
                i = close + 1;
            }
            return new Text(parts);
        }

        public JsonValue render(JsonObject context) {
            return Json.createValue(text(context, false));
        }

        /** @param pathSegment whether referenced values are percent-encoded (for paths) */
        String text(JsonObject context, boolean pathSegment) {
            StringBuilder sb = new StringBuilder();
            for (Object p : parts) {
                if (p instanceof Expr e) {
                    String v = e.eval(context).map(Text::plain).orElse("");
                    sb.append(pathSegment ? URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20") : v);
                } else {
                    sb.append((String) p);
                }
            }
            return sb.toString();
        }

        public List<Expr> refs() {
            return parts.stream().filter(Expr.class::isInstance).map(Expr.class::cast).toList();
        }

        private static String plain(JsonValue v) {
            return switch (v) {
                case JsonString s -> s.getString();
                case JsonNumber n -> n.toString();
                default -> v.getValueType() == JsonValue.ValueType.NULL ? "" : v.toString();
            };
        }
    }

    static Optional<Template> optional(Optional<YamlValue> node) throws ConfigException {
        return node.isPresent() ? Optional.of(parse(node.get())) : Optional.empty();
    }
}
