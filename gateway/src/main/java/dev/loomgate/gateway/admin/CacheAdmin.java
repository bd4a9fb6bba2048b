package dev.loomgate.gateway.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

import dev.loomgate.gateway.cache.CacheKeys;
import dev.loomgate.gateway.cache.CacheSettings;
import dev.loomgate.gateway.cache.ResponseCache;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.proxy.ProblemWriter;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;

/**
 * {@code POST /admin/cache/purge}: drops cached responses on every node (docs/CACHE.md), by route
 * ({@code {"route": "r"}}), by tag ({@code {"tag": "t"}}, the upstream's Cache-Tag / Surrogate-Key) or by key
 * ({@code {"route": "r", "host": "h", "path": "/p?q=1"}}, or {@code {"key": "<hex>"}}). 200 when every node was
 * told (through Redis); 503 when Redis did not take it after a few tries (only this node dropped its entries).
 */
public final class CacheAdmin {
    private final ResponseCache cache;
    private final Optional<byte[]> token;

    public CacheAdmin(ResponseCache cache, Optional<String> adminToken) {
        this.cache = cache;
        this.token = adminToken.map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    /** Must be registered before {@link AdminApi}, whose {@code /admin/*} catches everything else. */
    public void register(HttpRouting.Builder r) {
        r.post("/admin/cache/purge", this::purge);
    }

    private void purge(ServerRequest req, ServerResponse res) {
        String path = req.path().path();
        if (!AdminCalls.admitted(req, res, token)) {
            return;
        }
        JsonObject body;
        try {
            body = AdminCalls.jsonObject(req);
            JsonObjectBuilder out = Json.createObjectBuilder();
            Optional<String> route = text(body, "route");
            Optional<String> tag = text(body, "tag");
            Optional<String> key = text(body, "key");
            Optional<String> target = text(body, "path");
            boolean everywhere;
            if (tag.isPresent() && body.size() == 1) {
                ResponseCache.Purge p = cache.purgeTag(tag.get());
                everywhere = p.everywhere();
                out.add("purged", "tag").add("tag", tag.get()).add("sharedDeleted", p.value());
            } else if (key.isPresent() && body.size() == 1) {
                if (!key.get().matches("[0-9a-f]{64}")) {
                    throw new IllegalArgumentException("key: expected 64 hex digits");
                }
                everywhere = cache.purgeKey(key.get()).everywhere();
                out.add("purged", "key");
            } else if (route.isPresent() && target.isPresent()) {
                String host = text(body, "host").orElse("");
                String p = target.get();
                int q = p.indexOf('?');
                String pathOnly = q < 0 ? p : p.substring(0, q);
                String query = q < 0 ? "" : p.substring(q + 1);
                if (!pathOnly.startsWith("/")) {
                    throw new IllegalArgumentException("path: must start with '/'");
                }
                long gen = cache.generation(route.get());
                // the route's query mode is the filter's; purging all three spellings of the key is harmless
                Set<String> keys = new LinkedHashSet<>();
                for (CacheSettings.QueryMode mode : CacheSettings.QueryMode.values()) {
                    keys.add(CacheKeys.primary(route.get(), gen, "GET", host, pathOnly, query, mode));
                }
                everywhere = true;
                for (String k : keys) {
                    everywhere &= cache.purgeKey(k).everywhere();
                }
                out.add("purged", "key").add("route", route.get()).add("path", p);
            } else if (route.isPresent() && body.size() == 1) {
                ResponseCache.Purge purge = cache.purgeRoute(route.get());
                everywhere = purge.everywhere();
                out.add("purged", "route").add("route", route.get()).add("generation", purge.value());
            } else {
                throw new IllegalArgumentException("body must be {\"route\"}, {\"tag\"}, {\"key\"} or"
                        + " {\"route\", \"host\", \"path\"}");
            }
            out.add("everywhere", everywhere);
            if (!everywhere) {
                // only this node dropped its entries: the caller must know, and retry
                res.status(Status.SERVICE_UNAVAILABLE_503);
                out.add("detail", "Redis did not take the purge: only this node dropped its entries; retry");
            }
            AdminApi.sendJson(res, out.build());
        } catch (IOException | JsonException | IllegalStateException | ClassCastException | IllegalArgumentException e) {
            String detail = e instanceof IllegalArgumentException ? e.getMessage() : "body must be a JSON object";
            ProblemWriter.send(res, new Problem(Problem.Type.BAD_REQUEST, detail), path, "");
        }
    }

    private static Optional<String> text(JsonObject body, String name) {
        if (!body.containsKey(name)) {
            return Optional.empty();
        }
        if (!(body.get(name) instanceof JsonString s) || s.getString().isBlank() || s.getString().length() > 4096) {
            throw new IllegalArgumentException(name + ": expected a non-empty string");
        }
        return Optional.of(s.getString());
    }
}
