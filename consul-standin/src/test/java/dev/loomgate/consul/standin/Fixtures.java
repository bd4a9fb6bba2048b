package dev.loomgate.consul.standin;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Loads the Consul API contract fixtures from the test classpath, where consul-standin/pom.xml copies
 * the repository's contracts/consul-api folder; fails (never skips) when the contract is not there.
 */
final class Fixtures {
    private static final String CONTRACT = "consul-api/";

    private Fixtures() {
    }

    static String text(String name) {
        ClassLoader loader = Fixtures.class.getClassLoader();
        if (loader.getResource(CONTRACT + "SPEC.md") == null) {
            return fail("the Consul API contract is not on the test classpath: expected contracts/consul-api/ "
                    + "(SPEC.md, fixtures/) at the repository root, added as a test resource directory by "
                    + "consul-standin/pom.xml");
        }
        String resource = CONTRACT + "fixtures/" + name;
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                return fail("fixture " + name + " is missing from the Consul API contract (contracts/consul-api/fixtures)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return fail("cannot read fixture " + resource + ": " + e);
        }
    }

    static JsonValue json(String name) {
        try (JsonReader reader = Json.createReader(new StringReader(text(name)))) {
            return reader.readValue();
        }
    }

    static JsonObject object(String name) {
        return json(name).asJsonObject();
    }
}
