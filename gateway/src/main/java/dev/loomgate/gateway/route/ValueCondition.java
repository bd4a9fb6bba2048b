package dev.loomgate.gateway.route;

import dev.loomgate.gateway.http.RequestView;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One condition on a request header or query parameter: equals a value, fully matches a
 * regex, is present, or is absent. For headers with several values, one matching value is enough.
 */
public record ValueCondition(String name, Kind kind, String value, Optional<Pattern> regex) {
    public enum Kind { EQUALS, REGEX, PRESENT, ABSENT }

    public ValueCondition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(regex, "regex");
        if (kind == Kind.REGEX && regex.isEmpty()) {
            throw new IllegalArgumentException("regex condition needs a pattern");
        }
    }

    public static ValueCondition equalTo(String name, String value) {
        return new ValueCondition(name, Kind.EQUALS, value, Optional.empty());
    }

    /** @throws java.util.regex.PatternSyntaxException when the regex is invalid */
    public static ValueCondition matching(String name, String regex) {
        return new ValueCondition(name, Kind.REGEX, regex, Optional.of(Pattern.compile(regex)));
    }

    public static ValueCondition present(String name) {
        return new ValueCondition(name, Kind.PRESENT, "", Optional.empty());
    }

    public static ValueCondition absent(String name) {
        return new ValueCondition(name, Kind.ABSENT, "", Optional.empty());
    }

    boolean testHeader(RequestView request) {
        List<String> values = request.headerValues(name);
        switch (kind) {
            case PRESENT:
                return !values.isEmpty();
            case ABSENT:
                return values.isEmpty();
            default:
                for (int i = 0; i < values.size(); i++) {
                    if (testValue(values.get(i))) {
                        return true;
                    }
                }
                return false;
        }
    }

    boolean testQuery(RequestView request) {
        if (request.rawQuery().isEmpty()) {
            return kind == Kind.ABSENT;
        }
        Optional<String> v = request.queryParam(name);
        return switch (kind) {
            case PRESENT -> v.isPresent();
            case ABSENT -> v.isEmpty();
            default -> v.isPresent() && testValue(v.get());
        };
    }

    private boolean testValue(String v) {
        return kind == Kind.EQUALS ? value.equals(v) : regex.orElseThrow().matcher(v).matches();
    }

    @Override
    public String toString() {
        return switch (kind) {
            case EQUALS -> name + " == '" + value + "'";
            case REGEX -> name + " ~ /" + value + "/";
            case PRESENT -> name + " present";
            case ABSENT -> name + " absent";
        };
    }
}
