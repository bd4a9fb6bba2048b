package dev.loomgate.consul.standin.api;

import dev.loomgate.consul.standin.store.ConsulError;
import dev.loomgate.consul.standin.store.GoDuration;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A request body object read the way Consul decodes it: field names match case-insensitively (Go's encoding/json)
 * and snake_case aliases are accepted; {@code null} counts as absent. Type errors are 400 "Request decode failed".
 */
final class JsonFields {
    private final Map<String, JsonValue> fields = new HashMap<>();

    JsonFields(JsonObject object) {
        object.forEach((k, v) -> {
            if (v != JsonValue.NULL) {
                fields.put(normalize(k), v);
            }
        });
    }

    static Optional<JsonObject> parseObject(byte[] body) {
        if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return Optional.empty();
        }
        try (JsonReader reader = Json.createReader(new ByteArrayInputStream(body))) {
            JsonValue value = reader.readValue();
            if (value == JsonValue.NULL) {
                return Optional.empty();
            }
            if (!(value instanceof JsonObject object)) {
                throw decodeFailed("expected a JSON object");
            }
            return Optional.of(object);
        } catch (JsonException e) {
            throw decodeFailed(e.getMessage());
        }
    }

    static ConsulError decodeFailed(String reason) {
        return ConsulError.badRequest("Request decode failed: " + reason);
    }

    private static String normalize(String name) {
        return name.replace("_", "").toLowerCase(Locale.ROOT);
    }

    boolean has(String name) {
        return fields.containsKey(normalize(name));
    }

    boolean isEmpty() {
        return fields.isEmpty();
    }

    Optional<JsonValue> value(String name) {
        return Optional.ofNullable(fields.get(normalize(name)));
    }

    String string(String name) {
        return value(name).map(v -> {
            if (v instanceof JsonString s) {
                return s.getString();
            }
            throw decodeFailed("field " + name + " must be a string");
        }).orElse("");
    }

    long number(String name) {
        return value(name).map(v -> {
            if (v instanceof JsonNumber n && n.isIntegral()) {
                return n.longValue();
            }
            throw decodeFailed("field " + name + " must be an integer");
        }).orElse(0L);
    }

    boolean bool(String name) {
        return value(name).map(v -> {
            if (v == JsonValue.TRUE || v == JsonValue.FALSE) {
                return v == JsonValue.TRUE;
            }
            throw decodeFailed("field " + name + " must be a boolean");
        }).orElse(false);
    }

    /** A Go duration string, or a number of nanoseconds. */
    Duration duration(String name) {
        return value(name).map(v -> switch (v) {
            case JsonString s when s.getString().isEmpty() -> Duration.ZERO;
            case JsonString s -> GoDuration.parse(s.getString()).orElseThrow(() ->
                    decodeFailed("time: invalid duration \"" + s.getString() + "\" in field " + name));
            case JsonNumber n -> Duration.ofNanos(n.longValue());
            default -> throw decodeFailed("field " + name + " must be a duration");
        }).orElse(Duration.ZERO);
    }

    List<String> strings(String name) {
        return value(name).map(v -> {
            if (!(v instanceof JsonArray array)) {
                throw decodeFailed("field " + name + " must be an array of strings");
            }
            List<String> out = new ArrayList<>();
            for (JsonValue item : array) {
                if (!(item instanceof JsonString s)) {
                    throw decodeFailed("field " + name + " must be an array of strings");
                }
                out.add(s.getString());
            }
            return out;
        }).orElse(List.of());
    }

    Map<String, String> stringMap(String name) {
        Map<String, String> out = new LinkedHashMap<>();
        object(name).ifPresent(o -> o.forEach((k, v) -> {
            if (!(v instanceof JsonString s)) {
                throw decodeFailed("field " + name + " must map to strings");
            }
            out.put(k, s.getString());
        }));
        return out;
    }

    Optional<JsonObject> object(String name) {
        return value(name).map(v -> {
            if (v instanceof JsonObject o) {
                return o;
            }
            throw decodeFailed("field " + name + " must be an object");
        });
    }

    List<JsonObject> objects(String name) {
        return value(name).map(v -> {
            if (!(v instanceof JsonArray array)) {
                throw decodeFailed("field " + name + " must be an array");
            }
            List<JsonObject> out = new ArrayList<>();
            for (JsonValue item : array) {
                if (item instanceof JsonObject o) {
                    out.add(o);
                } else if (item != JsonValue.NULL) {
                    throw decodeFailed("field " + name + " must be an array of objects");
                }
            }
            return out;
        }).orElse(List.of());
    }
}
