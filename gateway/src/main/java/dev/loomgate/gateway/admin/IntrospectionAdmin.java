package dev.loomgate.gateway.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.policy.introspection.IntrospectionCache;
import dev.loomgate.gateway.proxy.ProblemWriter;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;

/**
 * {@code POST /admin/introspection/evict} with {@code {"token": "..."}}: forgets the cached introspection answers
 * for a token (revoked at the IdP, say), on this node and, with Redis, in the store every node reads, so the next
 * request with it asks the IdP again everywhere. The token travels in the body, never in a URL.
 */
public final class IntrospectionAdmin {
    private final IntrospectionCache cache;
    private final Optional<byte[]> token;

    public IntrospectionAdmin(IntrospectionCache cache, Optional<String> adminToken) {
        this.cache = cache;
        this.token = adminToken.map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    /** Must be registered before {@link AdminApi}, whose {@code /admin/*} catches everything else. */
    public void register(HttpRouting.Builder r) {
        r.post("/admin/introspection/evict", this::evict);
    }

    private void evict(ServerRequest req, ServerResponse res) {
        String path = req.path().path();
        if (!AdminCalls.admitted(req, res, token)) {
            return;
        }
        String given;
        try {
            JsonObject body = AdminCalls.jsonObject(req);
            if (!(body.get("token") instanceof JsonString s) || s.getString().isBlank() || body.size() != 1) {
                throw new IllegalArgumentException("body must be {\"token\": \"<the token>\"}");
            }
            given = s.getString().strip();
        } catch (IOException | JsonException | IllegalStateException | IllegalArgumentException e) {
            String detail = e instanceof IllegalArgumentException ? e.getMessage()
                    : "body must be {\"token\": \"<the token>\"}";
            ProblemWriter.send(res, new Problem(Problem.Type.BAD_REQUEST, detail), path, "");
            return;
        }
        IntrospectionCache.Eviction e = cache.evict(given);
        AdminApi.sendJson(res, Json.createObjectBuilder().add("evictedOnThisNode", e.local())
                .add("sharedStore", e.sharedStore()).add("evictedInSharedStore", e.shared()).build());
    }
}
