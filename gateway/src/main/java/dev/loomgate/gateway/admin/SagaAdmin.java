package dev.loomgate.gateway.admin;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.proxy.ProblemWriter;
import dev.loomgate.gateway.saga.SagaService;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;

/**
 * The saga part of the admin API (docs/SAGAS.md, Operating): {@code GET /admin/sagas[?state=stuck]},
 * {@code GET /admin/sagas/{id}}, {@code POST /admin/sagas/{id}/retry} and {@code POST /admin/sagas/{id}/abort}.
 */
public final class SagaAdmin {
    private static final int LIST_MAX = 200;

    private final SagaService sagas;
    private final Optional<byte[]> token;

    public SagaAdmin(SagaService sagas, Optional<String> adminToken) {
        this.sagas = sagas;
        this.token = adminToken.map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    /** Must be registered before {@link AdminApi}, whose {@code /admin/*} catches everything else. */
    public void register(HttpRouting.Builder r) {
        r.get("/admin/sagas", this::list);
        r.get("/admin/sagas/{id}", this::show);
        r.post("/admin/sagas/{id}/retry", (req, res) -> act(req, res, true));
        r.post("/admin/sagas/{id}/abort", (req, res) -> act(req, res, false));
    }

    private boolean denied(ServerRequest req, ServerResponse res) {
        if (AdminApi.authorized(req, token)) {
            return false;
        }
        res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"loomgate-admin\"");
        ProblemWriter.send(res, new Problem(Problem.Type.UNAUTHORIZED,
                "the admin API needs Authorization: Bearer <admin token>"), req.path().path(), "");
        return true;
    }

    private void list(ServerRequest req, ServerResponse res) {
        if (denied(req, res)) {
            return;
        }
        Optional<String> state = req.query().first("state").asOptional();
        try {
            List<JsonObject> found = sagas.list(state, LIST_MAX);
            JsonArrayBuilder a = Json.createArrayBuilder();
            found.forEach(a::add);
            AdminApi.sendJson(res, Json.createObjectBuilder().add("sagas", a).add("count", found.size()).build());
        } catch (RuntimeException e) {
            ProblemWriter.send(res, new Problem(Problem.Type.NO_HEALTHY_ENDPOINT, "saga log unavailable: " + e.getMessage()),
                    req.path().path(), "");
        }
    }

    private void show(ServerRequest req, ServerResponse res) {
        if (denied(req, res)) {
            return;
        }
        String id = req.path().pathParameters().get("id");
        try {
            Optional<JsonObject> s = sagas.status(id);
            if (s.isEmpty()) {
                ProblemWriter.send(res, new Problem(Problem.Type.NOT_FOUND, "no saga '" + id + "'"), req.path().path(), "");
                return;
            }
            AdminApi.sendJson(res, s.get());
        } catch (RuntimeException e) {
            ProblemWriter.send(res, new Problem(Problem.Type.NO_HEALTHY_ENDPOINT, "saga log unavailable: " + e.getMessage()),
                    req.path().path(), "");
        }
    }

    private void act(ServerRequest req, ServerResponse res, boolean retry) {
        if (denied(req, res)) {
            return;
        }
        String id = req.path().pathParameters().get("id");
        try {
            SagaService.AdminResult r = retry ? sagas.retry(id) : sagas.abort(id);
            if (!r.done()) {
                ProblemWriter.send(res, new Problem(Problem.Type.CONFLICT, r.detail()), req.path().path(), "");
                return;
            }
            AdminApi.sendJson(res, Json.createObjectBuilder().add("id", id).add("detail", r.detail()).build());
        } catch (RuntimeException e) {
            ProblemWriter.send(res, new Problem(Problem.Type.NO_HEALTHY_ENDPOINT, "saga log unavailable: " + e.getMessage()),
                    req.path().path(), "");
        }
    }
}
