package dev.loomgate.consul.standin.api;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObjectBuilder;
import java.util.Map;

/**
 * Builders from one factory. {@code Json.createObjectBuilder()} looks the JSON provider up with a ServiceLoader on
 * every call; rendering 10,000 KV entries that way took seconds (JFR: ServiceLoader parse), one factory takes ms.
 */
final class JsonBuilders {
    private static final JsonBuilderFactory FACTORY = Json.createBuilderFactory(Map.of());

    private JsonBuilders() {
    }

    static JsonObjectBuilder object() {
        return FACTORY.createObjectBuilder();
    }

    static JsonArrayBuilder array() {
        return FACTORY.createArrayBuilder();
    }
}
