package dev.loomgate.gateway.discovery;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.loomgate.gateway.upstream.ConsulService;
import dev.loomgate.gateway.upstream.Endpoint;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * The last applied config (routes text + discovered endpoints) on local disk, written atomically
 * (temp file + rename) so a crash never leaves half a file. A node that starts while Consul is
 * unreachable serves from it (like the Nacos client's failover snapshot).
 *
 * @param routesText the routes document in file syntax; empty when routes come from a local file
 */
public record LastKnownGood(String version, Optional<String> routesText, Map<ConsulService, List<Endpoint>> endpoints,
                            Instant writtenAt) {
    public LastKnownGood {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(routesText, "routesText");
        endpoints = Map.copyOf(endpoints);
        Objects.requireNonNull(writtenAt, "writtenAt");
    }

    /** No snapshot: no routes and no endpoints to fall back on. */
    public static LastKnownGood none() {
        return new LastKnownGood("none", Optional.empty(), Map.of(), Instant.EPOCH);
    }

    public void write(Path file) throws IOException {
        JsonObjectBuilder b = Json.createObjectBuilder()
                .add("format", 1)
                .add("version", version)
                .add("written-at", writtenAt.toString());
        routesText.ifPresent(t -> b.add("routes", t));
        JsonArrayBuilder services = Json.createArrayBuilder();
        endpoints.forEach((svc, eps) -> {
            JsonArrayBuilder list = Json.createArrayBuilder();
            eps.forEach(e -> list.add(Json.createObjectBuilder().add("host", e.host()).add("port", e.port())
                    .add("weight", e.weight())));
            services.add(Json.createObjectBuilder()
                    .add("service", svc.service())
                    .add("tags", Json.createArrayBuilder(svc.tags()))
                    .add("passing-only", svc.passingOnly())
                    .add("endpoints", list));
        });
        b.add("services", services);
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = Files.createTempFile(dir, abs.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, b.build().toString(), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads a snapshot; empty when the file does not exist. */
    public static Optional<LastKnownGood> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        JsonObject o;
        try (var reader = Json.createReader(new StringReader(Files.readString(file, StandardCharsets.UTF_8)))) {
            o = reader.readObject();
        } catch (RuntimeException e) {
            throw new IOException("snapshot " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        try {
            Map<ConsulService, List<Endpoint>> endpoints = new LinkedHashMap<>();
            for (JsonValue v : o.getJsonArray("services")) {
                JsonObject s = v.asJsonObject();
                List<String> tags = s.getJsonArray("tags").getValuesAs(JsonString.class).stream()
                        .map(JsonString::getString).toList();
                List<Endpoint> eps = new ArrayList<>();
                for (JsonValue e : s.getJsonArray("endpoints")) {
                    JsonObject eo = e.asJsonObject();
                    eps.add(new Endpoint(eo.getString("host"), eo.getInt("port"), eo.getInt("weight", 1)));
                }
                endpoints.put(new ConsulService(s.getString("service"), tags, s.getBoolean("passing-only")), eps);
            }
            return Optional.of(new LastKnownGood(o.getString("version"),
                    o.containsKey("routes") ? Optional.of(o.getString("routes")) : Optional.empty(), endpoints,
                    Instant.parse(o.getString("written-at"))));
        } catch (RuntimeException e) {
            throw new IOException("snapshot " + file + " is malformed: " + e.getMessage(), e);
        }
    }
}
