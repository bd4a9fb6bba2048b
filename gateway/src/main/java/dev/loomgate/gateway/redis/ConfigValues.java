package dev.loomgate.gateway.redis;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reading typed values out of a generic parsed-YAML tree ({@code Map<String,Object>}), with errors that name the field.
 * Every failure is an {@link IllegalArgumentException} whose message starts with {@code "field: "}.
 * Shared by the Redis and rate-limit parsers; the config package may adopt or replace it.
 */
public final class ConfigValues {
    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private ConfigValues() {
    }

    /** Fails with {@code "field: reason"}. */
    public static IllegalArgumentException error(String field, String reason) {
        return new IllegalArgumentException(field + ": " + reason);
    }

    /** Fails when the map holds keys outside {@code known}; catches typos such as {@code read-timout}. */
    public static void rejectUnknownKeys(Map<String, ?> map, String prefix, List<String> known) {
        for (String k : map.keySet()) {
            if (!known.contains(k)) {
                throw error(prefix + k, "unknown key (expected one of " + known + ")");
            }
        }
    }

    public static Optional<String> string(Map<String, ?> map, String key, String field) {
        Object v = map.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String s || v instanceof Number || v instanceof Boolean) {
            String text = String.valueOf(v).strip();
            if (text.isEmpty()) {
                throw error(field, "must not be empty");
            }
            return Optional.of(text);
        }
        throw error(field, "expected a string, got " + describe(v));
    }

    public static Optional<Long> integer(Map<String, ?> map, String key, String field) {
        Object v = map.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return Optional.of(((Number) v).longValue());
        }
        if (v instanceof String s) {
            try {
                return Optional.of(Long.parseLong(s.strip()));
            } catch (NumberFormatException e) {
                throw error(field, "expected an integer, got '" + s + "'");
            }
        }
        throw error(field, "expected an integer, got " + describe(v));
    }

    public static Optional<Boolean> bool(Map<String, ?> map, String key, String field) {
        Object v = map.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Boolean b) {
            return Optional.of(b);
        }
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Optional.of(Boolean.parseBoolean(s));
        }
        throw error(field, "expected true or false, got " + describe(v));
    }

    public static Optional<Duration> duration(Map<String, ?> map, String key, String field) {
        Object v = map.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String s) {
            return Optional.of(parseDuration(s, field));
        }
        throw error(field, "expected a duration such as 50ms, 1s, 5m, 1h, got " + describe(v));
    }

    /** {@code 50ms}, {@code 1s}, {@code 5m}, {@code 1h}, {@code 1d} or ISO-8601 {@code PT0.5S}. */
    public static Duration parseDuration(String text, String field) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        Matcher m = SIMPLE_DURATION.matcher(s);
        if (m.matches()) {
            long n;
            try {
                n = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                throw error(field, "duration out of range: '" + text + "'");
            }
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        if (s.startsWith("-")) {
            throw error(field, "must not be negative: '" + text + "'");
        }
        try {
            return Duration.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw error(field, "expected a duration such as 50ms, 1s, 5m, 1h, got '" + text + "'");
        }
    }

    @SuppressWarnings("unchecked")
    public static Optional<Map<String, Object>> map(Map<String, ?> map, String key, String field) {
        Object v = map.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Map<?, ?> m) {
            for (Object k : m.keySet()) {
                if (!(k instanceof String)) {
                    throw error(field, "keys must be strings, got " + describe(k));
                }
            }
            return Optional.of((Map<String, Object>) m);
        }
        throw error(field, "expected a mapping, got " + describe(v));
    }

    public static Optional<List<?>> list(Map<String, ?> map, String key, String field) {
        Object v = map.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof List<?> l) {
            return Optional.of(l);
        }
        throw error(field, "expected a list, got " + describe(v));
    }

    public static String describe(Object v) {
        if (v instanceof Map<?, ?>) {
            return "a mapping";
        }
        if (v instanceof List<?>) {
            return "a list";
        }
        return v.getClass().getSimpleName() + " '" + v + "'";
    }
}
