package dev.loomgate.gateway.redis;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.loomgate.gateway.units.Units;

/**
 * Typed values out of a tree that YAML reading (config's YamlValue, the only YAML reader) already produced as
 * {@code Map<String,Object>}, for the Map-based entry points of the Redis and rate-limit parsers. It reads no YAML
 * and has no grammar of its own: durations are {@link Units}'. Every failure is an {@link IllegalArgumentException}
 * whose message starts with {@code "field: "}; the config package turns it into {@code file:line: path: reason}.
 */
public final class TreeValues {
    private TreeValues() {
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

    /** A duration in the one grammar ({@link Units#duration}). */
    public static Optional<Duration> duration(Map<String, ?> map, String key, String field) {
        return durationText(map, key, field).map(text -> parse(text, field, false));
    }

    /** A rate-limit period: a duration that may also be given in days ({@link Units#period}). */
    public static Optional<Duration> period(Map<String, ?> map, String key, String field) {
        return durationText(map, key, field).map(text -> parse(text, field, true));
    }

    private static Optional<String> durationText(Map<String, ?> map, String key, String field) {
        Object v = map.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String s) {
            return Optional.of(s);
        }
        throw error(field, "expected a duration such as 250ms, 2s, 1m or 1h, got " + describe(v));
    }

    private static Duration parse(String text, String field, boolean period) {
        try {
            return period ? Units.period(text) : Units.duration(text);
        } catch (IllegalArgumentException e) {
            throw error(field, e.getMessage());
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
