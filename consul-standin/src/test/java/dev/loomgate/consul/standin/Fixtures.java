package dev.loomgate.consul.standin;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/** Loads the shared Consul API fixtures; fails (never skips) when the shared folder cannot be found. */
final class Fixtures {
    private Fixtures() {
    }

    /** Walks up from the working directory to an ancestor that has {@code shared/consul-api} in it. */
    static Path dir() {
        Path start = Path.of("").toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("consul-api");
            if (Files.isDirectory(candidate.resolve("fixtures"))) {
                return candidate.resolve("fixtures");
            }
        }
        return fail("the shared Consul API contract (shared/consul-api/fixtures) was not found beside any "
                + "ancestor of " + start + "; it is expected at ../shared/consul-api relative to the repository root");
    }

    static String text(String name) {
        Path file = dir().resolve(name);
        if (!Files.isRegularFile(file)) {
            return fail("fixture " + name + " is missing in " + dir());
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return fail("cannot read fixture " + file + ": " + e);
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
