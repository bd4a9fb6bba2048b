package dev.loomgate.consul.standin;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Compares a response with a fixture by shape: every fixture field must exist with the same JSON type, recursively.
 * Fields whose keys are data (maps such as Meta or TaggedAddresses) are compared as objects only; a {@code null}
 * in the fixture matches anything (Consul's nil maps and optional blocks); Enterprise-only fields are ignored.
 * The array elements of the response are all compared with the fixture's first element.
 */
final class JsonShape {
    /** Objects whose keys are user data or whose content varies between versions (SPEC H-1, D-3). */
    static final Set<String> MAP_FIELDS = Set.of("Meta", "NodeMeta", "ServiceMeta", "TaggedAddresses",
            "ServiceTaggedAddresses", "Tags", "DebugConfig", "Definition", "Stats", "xDS", "Proxy", "Connect",
            "ServiceProxy", "ServiceConnect", "Header");
    /** Consul Enterprise fields, absent from CE responses (SPEC D-10). */
    static final Set<String> ENTERPRISE_FIELDS = Set.of("Namespace", "Partition");

    private JsonShape() {
    }

    static void assertSameShape(JsonValue fixture, JsonValue actual) {
        compare(fixture, actual, "$", "");
    }

    private static void compare(JsonValue fixture, JsonValue actual, String path, String fieldName) {
        if (fixture.getValueType() == JsonValue.ValueType.NULL) {
            return;
        }
        if (!sameType(fixture, actual)) {
            fail(path + ": expected JSON " + typeName(fixture) + " like " + fixture + " but was " + actual);
        }
        if (fixture instanceof JsonObject fo) {
            if (MAP_FIELDS.contains(fieldName)) {
                return;
            }
            JsonObject ao = actual.asJsonObject();
            for (String key : fo.keySet()) {
                if (ENTERPRISE_FIELDS.contains(key)) {
                    continue;
                }
                if (!ao.containsKey(key)) {
                    fail(path + ": field " + key + " is missing in " + ao);
                }
                compare(fo.get(key), ao.get(key), path + "." + key, key);
            }
        } else if (fixture instanceof JsonArray fa && !fa.isEmpty()) {
            JsonArray aa = actual.asJsonArray();
            for (int i = 0; i < aa.size(); i++) {
                compare(fa.get(Math.min(i, fa.size() - 1)), aa.get(i), path + "[" + i + "]", fieldName);
            }
        }
    }

    private static boolean sameType(JsonValue a, JsonValue b) {
        return typeName(a).equals(typeName(b));
    }

    private static String typeName(JsonValue v) {
        return switch (v.getValueType()) {
            case TRUE, FALSE -> "boolean";
            case NUMBER -> "number";
            case STRING -> "string";
            case ARRAY -> "array";
            case OBJECT -> "object";
            case NULL -> "null";
        };
    }
}
