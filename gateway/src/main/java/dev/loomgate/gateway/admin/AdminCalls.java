package dev.loomgate.gateway.admin;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.proxy.ProblemWriter;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.Json;
import jakarta.json.JsonObject;

/**
 * The prologue of a JSON POST on the admin API that lives beside a feature (cache purge, introspection evict): the
 * token check and the bounded body. One copy, so the 401 and the size limit cannot drift apart between them.
 */
final class AdminCalls {
    static final int MAX_BODY = 16 * 1024;

    private AdminCalls() {
    }

    /** Answers 401 (problem+json, Bearer challenge) unless the call carries the admin token; true when it may go on. */
    static boolean admitted(ServerRequest req, ServerResponse res, Optional<byte[]> token) {
        if (AdminApi.authorized(req, token)) {
            return true;
        }
        res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"loomgate-admin\"");
        ProblemWriter.send(res, new Problem(Problem.Type.UNAUTHORIZED,
                "the admin API needs Authorization: Bearer <admin token>"), req.path().path(), "");
        return false;
    }

    /**
     * The body as one JSON object.
     *
     * @throws IllegalArgumentException when it is larger than {@value #MAX_BODY} bytes
     * @throws jakarta.json.JsonException when it is not JSON (or, IllegalStateException, not an object)
     */
    static JsonObject jsonObject(ServerRequest req) throws IOException {
        byte[] bytes = req.content().hasEntity() ? req.content().inputStream().readNBytes(MAX_BODY + 1) : new byte[0];
        if (bytes.length > MAX_BODY) {
            throw new IllegalArgumentException("body larger than " + MAX_BODY + " bytes");
        }
        return Json.createReader(new StringReader(new String(bytes, StandardCharsets.UTF_8))).readObject();
    }
}
