package dev.loomgate.gateway.policy.apikey;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * The API keys a node learns from Consul KV ({@code <kv-prefix>api-keys/<id>}, written by {@code loomgate keys
 * create}), for routes with {@code api-key: { keys-from: consul }}. A node service: the Consul watcher swaps in a
 * new immutable map whenever the keys change, requests read the current one without locks.
 */
public final class ApiKeyDirectory {
    private final boolean enabled;
    private final AtomicReference<Map<String, ApiKeyEntry>> keys = new AtomicReference<>(Map.of());

    private ApiKeyDirectory(boolean enabled) {
        this.enabled = enabled;
    }

    /** A directory fed by Consul. */
    public static ApiKeyDirectory fedByConsul() {
        return new ApiKeyDirectory(true);
    }

    /** A node without Consul: routes that want keys from Consul are refused. */
    public static ApiKeyDirectory none() {
        return new ApiKeyDirectory(false);
    }

    public boolean enabled() {
        return enabled;
    }

    public Optional<ApiKeyEntry> find(String id) {
        return Optional.ofNullable(keys.get().get(id));
    }

    public int size() {
        return keys.get().size();
    }

    public void replace(Map<String, ApiKeyEntry> next) {
        keys.set(Map.copyOf(next));
    }

    /** The KV value of an entry: {@code {"hash": hex, "consumer": name, "scopes": [...]}}. */
    public static String toJson(ApiKeyEntry e) {
        JsonArrayBuilder scopes = Json.createArrayBuilder();
        e.scopes().forEach(scopes::add);
        return Json.createObjectBuilder().add("hash", HexFormat.of().formatHex(e.hash()))
                .add("consumer", e.consumer()).add("scopes", scopes).build().toString();
    }

    /**
     * Reads a KV value written by {@link #toJson}.
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static ApiKeyEntry fromJson(String id, String json) {
        if (!id.matches("[a-z0-9]{8}")) {
            throw new IllegalArgumentException("'" + id + "' is not a key id");
        }
        JsonObject o;
        try {
            o = Json.createReader(new StringReader(json)).readObject();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a JSON object");
        }
        if (!(o.get("hash") instanceof JsonString h) || !h.getString().matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("'hash' must be 64 hex digits");
        }
        if (!(o.get("consumer") instanceof JsonString c) || c.getString().isBlank()) {
            throw new IllegalArgumentException("'consumer' is required");
        }
        List<String> scopes = new ArrayList<>();
        if (o.get("scopes") != null && o.get("scopes").getValueType() == JsonValue.ValueType.ARRAY) {
            for (JsonValue v : o.getJsonArray("scopes")) {
                if (v instanceof JsonString s) {
                    scopes.add(s.getString());
                }
            }
        }
        return new ApiKeyEntry(id, HexFormat.of().parseHex(h.getString()), c.getString(), scopes);
    }
}
