package dev.loomgate.consul.standin.store;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Saves and restores the whole state to one JSON file in the data dir, so that a restarted stand-in keeps its
 * KV store, services, check statuses, sessions and index counter, as a Consul agent with a data dir does. Timers
 * (TTLs, critical-since, session TTLs, lock-delays) restart at load time.
 */
public final class Snapshot {
    private static final String FILE = "consul-standin-state.json";
    private static final int FORMAT = 1;

    private Snapshot() {
    }

    /** Writes atomically (temp file + move). */
    public static void save(Store store, Path dataDir) throws IOException {
        JsonObject snapshot = store.read(() -> toJson(store));
        Files.createDirectories(dataDir);
        Path tmp = dataDir.resolve(FILE + ".tmp");
        Files.writeString(tmp, snapshot.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, dataDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The saved store, or a fresh one when the data dir holds no snapshot yet. */
    public static Store loadOrCreate(Path dataDir, NodeIdentity node) throws IOException {
        Store store = new Store(node);
        Path file = dataDir.resolve(FILE);
        if (!Files.exists(file)) {
            return store;
        }
        JsonObject json;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             JsonReader reader = Json.createReader(in)) {
            json = reader.readObject();
        } catch (RuntimeException e) {
            throw new IOException("cannot read the stand-in state " + file + ": " + e.getMessage(), e);
        }
        if (json.getInt("format", 0) != FORMAT) {
            throw new IOException("unknown state format in " + file + ": " + json.get("format"));
        }
        store.mutate(tx -> {
            fromJson(store, json);
            return null;
        });
        return store;
    }

    private static JsonObject toJson(Store store) {
        JsonArrayBuilder kv = Json.createArrayBuilder();
        for (KvEntry e : store.kv().entries.values()) {
            kv.add(Json.createObjectBuilder().add("key", e.key()).add("create", e.createIndex())
                    .add("modify", e.modifyIndex()).add("lock", e.lockIndex()).add("flags", e.flags())
                    .add("value", Base64.getEncoder().encodeToString(e.value())).add("session", e.session()));
        }
        JsonObjectBuilder tombstones = Json.createObjectBuilder();
        store.kv().tombstones.forEach(tombstones::add);
        JsonArrayBuilder services = Json.createArrayBuilder();
        for (CatalogService s : store.catalog().services.values()) {
            ServiceDefinition d = s.definition();
            JsonObjectBuilder tagged = Json.createObjectBuilder();
            d.taggedAddresses().forEach((k, v) -> tagged.add(k,
                    Json.createObjectBuilder().add("address", v.address()).add("port", v.port())));
            services.add(Json.createObjectBuilder().add("id", d.id()).add("name", d.name())
                    .add("tags", Json.createArrayBuilder(d.tags())).add("address", d.address()).add("port", d.port())
                    .add("meta", Json.createObjectBuilder(new LinkedHashMap<String, Object>(d.meta())))
                    .add("tagged", tagged).add("weightPassing", d.weightPassing())
                    .add("weightWarning", d.weightWarning()).add("enableTagOverride", d.enableTagOverride())
                    .add("kind", d.kind()).add("create", s.createIndex()).add("modify", s.modifyIndex()));
        }
        JsonArrayBuilder checks = Json.createArrayBuilder();
        for (CheckState c : store.catalog().checks.values()) {
            CheckDefinition d = c.definition();
            JsonObjectBuilder header = Json.createObjectBuilder();
            d.header().forEach((k, v) -> header.add(k, Json.createArrayBuilder(v)));
            checks.add(Json.createObjectBuilder().add("id", d.checkId()).add("name", d.name()).add("notes", d.notes())
                    .add("serviceId", d.serviceId()).add("type", d.type()).add("http", d.http())
                    .add("method", d.method()).add("header", header).add("body", d.body())
                    .add("tlsSkipVerify", d.tlsSkipVerify()).add("tlsServerName", d.tlsServerName())
                    .add("disableRedirects", d.disableRedirects()).add("tcp", d.tcp())
                    .add("ttl", d.ttl().toNanos()).add("interval", d.interval().toNanos())
                    .add("timeout", d.timeout().toNanos())
                    .add("deregisterAfter", d.deregisterCriticalServiceAfter().toNanos())
                    .add("successBeforePassing", d.successBeforePassing())
                    .add("failuresBeforeWarning", d.failuresBeforeWarning())
                    .add("failuresBeforeCritical", d.failuresBeforeCritical())
                    .add("serviceName", c.serviceName()).add("serviceTags", Json.createArrayBuilder(c.serviceTags()))
                    .add("status", c.status()).add("output", c.output())
                    .add("create", c.createIndex()).add("modify", c.modifyIndex()));
        }
        JsonArrayBuilder sessions = Json.createArrayBuilder();
        for (Session s : store.sessions().sessions.values()) {
            sessions.add(Json.createObjectBuilder().add("id", s.id()).add("name", s.name()).add("node", s.node())
                    .add("lockDelay", s.lockDelay().toNanos()).add("behavior", s.behavior())
                    .add("ttl", s.ttl().toNanos()).add("nodeChecks", Json.createArrayBuilder(s.nodeChecks()))
                    .add("serviceChecks", Json.createArrayBuilder(s.serviceChecks()))
                    .add("create", s.createIndex()).add("modify", s.modifyIndex()));
        }
        JsonObjectBuilder serviceIndexes = Json.createObjectBuilder();
        store.catalog().serviceNameIndex.forEach(serviceIndexes::add);
        return Json.createObjectBuilder().add("format", FORMAT).add("lastIndex", store.lastIndex)
                .add("kvIndex", store.kv().tableIndex).add("kv", kv).add("tombstones", tombstones)
                .add("servicesIndex", store.catalog().servicesTableIndex)
                .add("lastServiceRemovalIndex", store.catalog().lastServiceRemovalIndex)
                .add("serviceIndexes", serviceIndexes).add("services", services).add("checks", checks)
                .add("sessionsIndex", store.sessions().tableIndex).add("sessions", sessions).build();
    }

    private static void fromJson(Store store, JsonObject json) {
        long now = System.nanoTime();
        store.lastIndex = json.getJsonNumber("lastIndex").longValue();
        KvStore kv = store.kv();
        kv.tableIndex = json.getJsonNumber("kvIndex").longValue();
        for (JsonValue v : json.getJsonArray("kv")) {
            JsonObject e = v.asJsonObject();
            kv.entries.put(e.getString("key"), new KvEntry(e.getString("key"), num(e, "create"), num(e, "modify"),
                    num(e, "lock"), num(e, "flags"), Base64.getDecoder().decode(e.getString("value")),
                    e.getString("session")));
        }
        json.getJsonObject("tombstones").forEach((k, v) -> kv.tombstones.put(k, ((jakarta.json.JsonNumber) v)
                .longValue()));
        Catalog catalog = store.catalog();
        catalog.services.clear();
        catalog.checks.clear();
        catalog.servicesTableIndex = json.getJsonNumber("servicesIndex").longValue();
        catalog.lastServiceRemovalIndex = json.getJsonNumber("lastServiceRemovalIndex").longValue();
        json.getJsonObject("serviceIndexes").forEach((k, v) -> catalog.serviceNameIndex.put(k,
                ((jakarta.json.JsonNumber) v).longValue()));
        for (JsonValue v : json.getJsonArray("services")) {
            JsonObject s = v.asJsonObject();
            Map<String, String> meta = new LinkedHashMap<>();
            s.getJsonObject("meta").forEach((k, m) -> meta.put(k, ((jakarta.json.JsonString) m).getString()));
            Map<String, ServiceDefinition.TaggedAddress> tagged = new LinkedHashMap<>();
            s.getJsonObject("tagged").forEach((k, t) -> tagged.put(k, new ServiceDefinition.TaggedAddress(
                    t.asJsonObject().getString("address"), t.asJsonObject().getInt("port"))));
            ServiceDefinition d = new ServiceDefinition(s.getString("id"), s.getString("name"),
                    strings(s, "tags"), s.getString("address"), s.getInt("port"), meta, tagged,
                    s.getInt("weightPassing"), s.getInt("weightWarning"), s.getBoolean("enableTagOverride"),
                    s.getString("kind"));
            catalog.services.put(d.id(), new CatalogService(d, num(s, "create"), num(s, "modify")));
        }
        for (JsonValue v : json.getJsonArray("checks")) {
            JsonObject c = v.asJsonObject();
            Map<String, List<String>> header = new LinkedHashMap<>();
            c.getJsonObject("header").forEach((k, h) -> header.put(k, strings(c.getJsonObject("header"), k)));
            CheckDefinition d = new CheckDefinition(c.getString("id"), c.getString("name"), c.getString("notes"),
                    c.getString("serviceId"), c.getString("type"), c.getString("http"), c.getString("method"),
                    header, c.getString("body"), c.getBoolean("tlsSkipVerify"), c.getString("tlsServerName"),
                    c.getBoolean("disableRedirects"), c.getString("tcp"), Duration.ofNanos(num(c, "ttl")),
                    Duration.ofNanos(num(c, "interval")), Duration.ofNanos(num(c, "timeout")),
                    Duration.ofNanos(num(c, "deregisterAfter")), c.getInt("successBeforePassing"),
                    c.getInt("failuresBeforeWarning"), c.getInt("failuresBeforeCritical"));
            long ttlDeadline = d.isTtl() ? now + d.ttl().toNanos() : 0;
            catalog.checks.put(d.checkId(), new CheckState(d, c.getString("serviceName"), strings(c, "serviceTags"),
                    c.getString("status"), c.getString("output"), num(c, "create"), num(c, "modify"), now,
                    ttlDeadline));
        }
        Sessions sessions = store.sessions();
        sessions.tableIndex = json.getJsonNumber("sessionsIndex").longValue();
        for (JsonValue v : json.getJsonArray("sessions")) {
            JsonObject s = v.asJsonObject();
            Duration ttl = Duration.ofNanos(num(s, "ttl"));
            sessions.sessions.put(s.getString("id"), new Session(s.getString("id"), s.getString("name"),
                    s.getString("node"), Duration.ofNanos(num(s, "lockDelay")), s.getString("behavior"), ttl,
                    strings(s, "nodeChecks"), strings(s, "serviceChecks"), num(s, "create"), num(s, "modify"),
                    ttl.isZero() ? 0 : now + 2 * ttl.toNanos()));
        }
    }

    private static long num(JsonObject o, String name) {
        return o.getJsonNumber(name).longValue();
    }

    private static List<String> strings(JsonObject o, String name) {
        List<String> out = new ArrayList<>();
        o.getJsonArray(name).forEach(v -> out.add(((jakarta.json.JsonString) v).getString()));
        return out;
    }
}
