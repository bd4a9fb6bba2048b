package dev.loomgate.consul.standin.api;

import dev.loomgate.consul.standin.store.ConsulError;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The subset of go-bexpr ({@code ?filter=}) the stand-in understands (SPEC H-4): {@code ==}, {@code !=},
 * {@code contains}, {@code not contains}, {@code in}, {@code not in}, {@code matches}, {@code not matches},
 * {@code is empty}, {@code is not empty}, {@code and}, {@code or}, {@code not} and parentheses, over selectors into
 * the rendered JSON entry. Anything else is rejected with 400.
 */
final class Filter {
    private final List<String> tokens;
    private int pos;

    private Filter(List<String> tokens) {
        this.tokens = tokens;
    }

    static Predicate<JsonObject> parse(String expression) {
        Filter parser = new Filter(tokenize(expression));
        Predicate<JsonObject> predicate = parser.or();
        if (parser.pos != parser.tokens.size()) {
            throw invalid("unexpected '" + parser.tokens.get(parser.pos) + "'");
        }
        return predicate;
    }

    private static ConsulError invalid(String reason) {
        return ConsulError.badRequest("Failed to create boolean expression evaluator: " + reason
                + " (the Consul stand-in supports only a subset of the filter language)");
    }

    private static List<String> tokenize(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '"' || c == '`') {
                int end = s.indexOf(c, i + 1);
                if (end < 0) {
                    throw invalid("unterminated string");
                }
                out.add(c + s.substring(i + 1, end));
                i = end + 1;
            } else if (c == '(' || c == ')') {
                out.add(String.valueOf(c));
                i++;
            } else if (s.startsWith("==", i) || s.startsWith("!=", i)) {
                out.add(s.substring(i, i + 2));
                i += 2;
            } else {
                int start = i;
                while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && "()\"`=!".indexOf(s.charAt(i)) < 0) {
                    i++;
                }
                if (start == i) {
                    throw invalid("unexpected character '" + c + "'");
                }
                out.add(s.substring(start, i));
            }
        }
        if (out.isEmpty()) {
            throw invalid("empty expression");
        }
        return out;
    }

    private String peek() {
        return pos < tokens.size() ? tokens.get(pos) : "";
    }

    private String next() {
        if (pos >= tokens.size()) {
            throw invalid("unexpected end of expression");
        }
        return tokens.get(pos++);
    }

    private Predicate<JsonObject> or() {
        Predicate<JsonObject> left = and();
        while (peek().equals("or")) {
            pos++;
            left = left.or(and());
        }
        return left;
    }

    private Predicate<JsonObject> and() {
        Predicate<JsonObject> left = not();
        while (peek().equals("and")) {
            pos++;
            left = left.and(not());
        }
        return left;
    }

    private Predicate<JsonObject> not() {
        if (peek().equals("not")) {
            pos++;
            return not().negate();
        }
        if (peek().equals("(")) {
            pos++;
            Predicate<JsonObject> inner = or();
            if (!next().equals(")")) {
                throw invalid("missing ')'");
            }
            return inner;
        }
        return match();
    }

    private Predicate<JsonObject> match() {
        String first = next();
        if (isLiteral(first)) {
            String value = literal(first);
            boolean negate = peek().equals("not");
            if (negate) {
                pos++;
            }
            if (!next().equals("in")) {
                throw invalid("expected 'in' after a value");
            }
            String selector = selector(next());
            Predicate<JsonObject> in = e -> resolve(e, selector).stream().anyMatch(v -> contains(v, value));
            return negate ? in.negate() : in;
        }
        String selector = selector(first);
        String op = next();
        boolean negate = false;
        if (op.equals("not")) {
            negate = true;
            op = next();
        }
        Predicate<JsonObject> result;
        switch (op) {
            case "==", "!=" -> {
                String value = literal(next());
                Predicate<JsonObject> eq = e -> resolve(e, selector).stream().anyMatch(v -> text(v).equals(value));
                result = op.equals("==") ? eq : eq.negate();
            }
            case "contains" -> {
                String value = literal(next());
                result = e -> resolve(e, selector).stream().anyMatch(v -> contains(v, value));
            }
            case "matches" -> {
                Pattern pattern;
                try {
                    pattern = Pattern.compile(literal(next()));
                } catch (PatternSyntaxException ex) {
                    throw invalid("bad regular expression: " + ex.getDescription());
                }
                result = e -> resolve(e, selector).stream().anyMatch(v -> pattern.matcher(text(v)).find());
            }
            case "is" -> {
                boolean emptyWanted = true;
                if (peek().equals("not")) {
                    pos++;
                    emptyWanted = false;
                }
                if (!next().equals("empty")) {
                    throw invalid("expected 'empty'");
                }
                boolean wanted = emptyWanted;
                result = e -> resolve(e, selector).stream().allMatch(Filter::isEmpty) == wanted;
            }
            default -> throw invalid("unsupported operator '" + op + "'");
        }
        return negate ? result.negate() : result;
    }

    private static boolean isLiteral(String token) {
        return token.startsWith("\"") || token.startsWith("`");
    }

    private static String literal(String token) {
        if (isLiteral(token)) {
            return token.substring(1);
        }
        if (token.matches("-?\\d+(\\.\\d+)?|true|false")) {
            return token;
        }
        throw invalid("expected a quoted value, got '" + token + "'");
    }

    private static String selector(String token) {
        if (!token.matches("[A-Za-z_][A-Za-z0-9_\\-]*(\\.[A-Za-z0-9_\\-]+)*")) {
            throw invalid("invalid selector '" + token + "'");
        }
        return token;
    }

    /** All values a selector reaches; arrays of objects fan out (e.g. {@code Checks.Status}). */
    private static List<JsonValue> resolve(JsonObject entry, String selector) {
        List<JsonValue> current = List.of(entry);
        for (String part : selector.split("\\.")) {
            List<JsonValue> nextValues = new ArrayList<>();
            for (JsonValue v : current) {
                if (v instanceof JsonObject o && o.containsKey(part)) {
                    nextValues.add(o.get(part));
                } else if (v instanceof JsonArray a) {
                    for (JsonValue item : a) {
                        if (item instanceof JsonObject o && o.containsKey(part)) {
                            nextValues.add(o.get(part));
                        }
                    }
                }
            }
            current = nextValues;
        }
        return current;
    }

    private static String text(JsonValue v) {
        return switch (v) {
            case JsonString s -> s.getString();
            case JsonNumber n -> n.toString();
            default -> v.toString();
        };
    }

    private static boolean contains(JsonValue v, String value) {
        return switch (v) {
            case JsonArray a -> a.stream().anyMatch(item -> text(item).equals(value));
            case JsonObject o -> o.containsKey(value);
            case JsonString s -> s.getString().contains(value);
            default -> false;
        };
    }

    private static boolean isEmpty(JsonValue v) {
        return switch (v) {
            case JsonArray a -> a.isEmpty();
            case JsonObject o -> o.isEmpty();
            case JsonString s -> s.getString().isEmpty();
            default -> v == JsonValue.NULL;
        };
    }
}
