package dev.loomgate.gateway.admin;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import dev.loomgate.gateway.async.AsyncService;
import dev.loomgate.gateway.async.JobQueue;
import dev.loomgate.gateway.async.QueueUnavailableException;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.proxy.ProblemWriter;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;

/**
 * The async routes' jobs on the admin port (docs/ASYNC.md, Operations): queue figures per route, one job, the
 * dead-letter list of a route, replay of a dead job, purge of a route's dead letters. Read and written through the
 * node's {@link AsyncService}, so every node shows the same cluster-wide queues.
 *
 * <pre>
 * GET    /admin/jobs                       routes with their queue, retry and dead-letter counts
 * GET    /admin/jobs/dead?route=R&amp;limit=N  dead jobs of route R, oldest first
 * DELETE /admin/jobs/dead?route=R          purge route R's dead jobs
 * GET    /admin/jobs/{id}                  one job
 * POST   /admin/jobs/{id}/replay           queue a dead job again
 * </pre>
 */
public final class JobsAdmin {
    private final AsyncService async;
    private final Optional<byte[]> token;

    public JobsAdmin(AsyncService async, Optional<String> adminToken) {
        this.async = async;
        this.token = adminToken.map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    /** Must be registered before {@link AdminApi}, whose {@code /admin/*} catches everything else. */
    public void register(HttpRouting.Builder r) {
        r.get("/admin/jobs", guarded(this::routes));
        r.get("/admin/jobs/dead", guarded(this::dead));
        r.delete("/admin/jobs/dead", guarded(this::purge));
        r.get("/admin/jobs/{id}", guarded(this::show));
        r.post("/admin/jobs/{id}/replay", guarded(this::replay));
    }

    private Handler guarded(Handler h) {
        return (req, res) -> {
            String path = req.path().path();
            if (!AdminApi.authorized(req, token)) {
                res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"loomgate-admin\"");
                problem(res, path, Problem.Type.UNAUTHORIZED, "the admin API needs Authorization: Bearer <admin token>");
                return;
            }
            try {
                h.handle(req, res);
            } catch (QueueUnavailableException e) {
                problem(res, path, Problem.Type.QUEUE_UNAVAILABLE, e.getMessage());
            }
        };
    }

    private static void problem(ServerResponse res, String path, Problem.Type type, String detail) {
        ProblemWriter.send(res, new Problem(type, detail), path, "");
    }

    private void routes(ServerRequest req, ServerResponse res) {
        JsonArrayBuilder list = Json.createArrayBuilder();
        for (String route : async.routes().stream().sorted().toList()) {
            JobQueue.Depth d = async.queue().depth(route);
            list.add(Json.createObjectBuilder().add("route", route).add("queued", d.length())
                    .add("waitingRetry", d.delayed()).add("dead", d.dead())
                    .add("oldestPendingSeconds", d.oldestAge().map(a -> a.toMillis() / 1000.0).orElse(0.0)));
        }
        AdminApi.sendJson(res, Json.createObjectBuilder().add("routes", list).build());
    }

    private Optional<String> route(ServerRequest req, ServerResponse res) {
        Optional<String> route = req.query().first("route").asOptional();
        if (route.isEmpty() || !async.routes().contains(route.get())) {
            problem(res, req.path().path(), Problem.Type.BAD_REQUEST,
                    "give ?route=<id> of an async route (one of " + async.routes().stream().sorted().toList() + ")");
            return Optional.empty();
        }
        return route;
    }

    private void dead(ServerRequest req, ServerResponse res) {
        Optional<String> route = route(req, res);
        if (route.isEmpty()) {
            return;
        }
        int limit;
        try {
            limit = Integer.parseInt(req.query().first("limit").orElse("100"));
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > 10_000) {
            problem(res, req.path().path(), Problem.Type.BAD_REQUEST, "limit must be 1..10000");
            return;
        }
        JsonArrayBuilder jobs = Json.createArrayBuilder();
        for (String id : async.queue().dead(route.get(), limit)) {
            async.describe(id).ifPresent(j -> jobs.add(Json.createReader(new java.io.StringReader(j)).readObject()));
        }
        JsonObjectBuilder out = Json.createObjectBuilder().add("route", route.get()).add("jobs", jobs);
        AdminApi.sendJson(res, out.build());
    }

    private void purge(ServerRequest req, ServerResponse res) {
        Optional<String> route = route(req, res);
        if (route.isPresent()) {
            AdminApi.sendJson(res, Json.createObjectBuilder().add("route", route.get())
                    .add("purged", async.queue().purge(route.get())).build());
        }
    }

    private void show(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        Optional<String> job = async.describe(id);
        if (job.isEmpty()) {
            problem(res, req.path().path(), Problem.Type.NOT_FOUND, "no job " + id);
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(job.get());
    }

    private void replay(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        if (!async.replay(id)) {
            problem(res, req.path().path(), Problem.Type.CONFLICT, "job " + id + " is not in a dead-letter list");
            return;
        }
        AdminApi.sendJson(res, Json.createObjectBuilder().add("id", id).add("state", "queued").build());
    }
}
