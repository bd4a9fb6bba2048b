package dev.loomgate.consul.standin.api;

import dev.loomgate.consul.standin.store.ConsulError;
import dev.loomgate.consul.standin.store.KvEntry;
import dev.loomgate.consul.standin.store.Store;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonValue;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/** {@code /v1/kv/<key>}: GET, PUT, DELETE (SPEC §3). */
final class KvEndpoint {
    static final String PREFIX = "/v1/kv/";
    /** Consul's default kv_max_value_size. */
    private static final int MAX_VALUE_SIZE = 512 * 1024;

    private final Store store;

    KvEndpoint(Store store) {
        this.store = store;
    }

    ApiResponse handle(ApiRequest request) {
        String key = request.rest(PREFIX);
        return switch (request.method()) {
            case "GET" -> get(request, key);
            case "PUT" -> put(request, key);
            default -> delete(request, key);
        };
    }

    private static void validateKey(String key) {
        if (key.startsWith("/")) {
            throw ConsulError.badRequest("Invalid key name: key must not begin with a '/'");
        }
        for (String segment : key.split("/", -1)) {
            if (segment.equals("..")) {
                throw ConsulError.badRequest("Invalid key name: key must not contain '..' path segments");
            }
        }
    }

    private ApiResponse get(ApiRequest request, String key) {
        QueryParams q = request.query();
        QueryParams.Blocking blocking = q.blocking();
        q.consistency();
        boolean keys = q.has("keys");
        if (keys || q.has("recurse")) {
            Store.Indexed<List<KvEntry>> result = store.blocking(blocking.index(), blocking.maxWait(),
                    () -> store.kv().list(key));
            List<KvEntry> entries = result.value();
            if (keys) {
                Optional<String> separator = q.first("separator").or(() -> q.first("seperator"));
                Set<String> names = new LinkedHashSet<>();
                for (KvEntry e : entries) {
                    names.add(cut(e.key(), key, separator.orElse("")));
                }
                if (names.isEmpty() && !key.isEmpty()) {
                    return Meta.kv(ApiResponse.empty(404), result.index());
                }
                return Meta.kv(ApiResponse.json(Render.strings(names).build(), pretty(q)), result.index());
            }
            if (entries.isEmpty()) {
                return Meta.kv(ApiResponse.empty(404), result.index());
            }
            JsonArrayBuilder array = JsonBuilders.array();
            entries.forEach(e -> array.add(Render.kvEntry(e)));
            return Meta.kv(ApiResponse.json(array.build(), pretty(q)), result.index());
        }
        if (key.isEmpty()) {
            throw ConsulError.badRequest("Missing key name");
        }
        Store.Indexed<Optional<KvEntry>> result = store.blocking(blocking.index(), blocking.maxWait(),
                () -> store.kv().get(key));
        if (result.value().isEmpty()) {
            return Meta.kv(ApiResponse.empty(404), result.index());
        }
        KvEntry entry = result.value().get();
        if (q.has("raw")) {
            return Meta.kv(ApiResponse.bytes(entry.value(), "text/plain"), result.index())
                    .header("X-Content-Type-Options", "nosniff")
                    .header("Content-Security-Policy", "sandbox");
        }
        JsonValue body = JsonBuilders.array().add(Render.kvEntry(entry)).build();
        return Meta.kv(ApiResponse.json(body, pretty(q)), result.index());
    }

    /** Cuts a key just after the first separator that follows the prefix (KV-6). */
    private static String cut(String key, String prefix, String separator) {
        if (separator.isEmpty()) {
            return key;
        }
        int at = key.indexOf(separator, prefix.length());
        return at < 0 ? key : key.substring(0, at + separator.length());
    }

    private ApiResponse put(ApiRequest request, String key) {
        QueryParams q = request.query();
        if (key.isEmpty()) {
            throw ConsulError.badRequest("Missing key name");
        }
        int exclusive = (q.has("cas") ? 1 : 0) + (q.has("acquire") ? 1 : 0) + (q.has("release") ? 1 : 0);
        if (exclusive > 1) {
            throw ConsulError.badRequest("Conflicting flags: " + q.raw());
        }
        validateKey(key);
        byte[] value = request.body();
        if (value.length > MAX_VALUE_SIZE) {
            throw new ConsulError(413, "Request body(" + value.length + " bytes) too large, max size: "
                    + MAX_VALUE_SIZE + " bytes. See "
                    + "https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size.");
        }
        long flags = q.unsigned("flags").orElse(0);
        boolean written;
        if (q.has("acquire")) {
            written = store.kv().acquire(key, value, flags, q.first("acquire").orElse(""));
        } else if (q.has("release")) {
            written = store.kv().release(key, value, flags, q.first("release").orElse(""));
        } else {
            written = store.kv().put(key, value, flags, q.unsigned("cas"));
        }
        return ApiResponse.json(written ? JsonValue.TRUE : JsonValue.FALSE, pretty(q));
    }

    private ApiResponse delete(ApiRequest request, String key) {
        QueryParams q = request.query();
        boolean recurse = q.has("recurse");
        if (recurse && q.has("cas")) {
            throw ConsulError.badRequest("Conflicting flags: " + q.raw());
        }
        if (!recurse && key.isEmpty()) {
            throw ConsulError.badRequest("Missing key name");
        }
        if (recurse) {
            store.kv().deleteTree(key);
            return ApiResponse.json(JsonValue.TRUE, pretty(q));
        }
        OptionalLong cas = q.unsigned("cas");
        return ApiResponse.json(store.kv().delete(key, cas) ? JsonValue.TRUE : JsonValue.FALSE, pretty(q));
    }

    static boolean pretty(QueryParams q) {
        return q.has("pretty");
    }
}
