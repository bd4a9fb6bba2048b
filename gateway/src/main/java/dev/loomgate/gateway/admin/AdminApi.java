package dev.loomgate.gateway.admin;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.loomgate.gateway.units.Units;
import dev.loomgate.gateway.routing.RoutingSnapshot;
import dev.loomgate.gateway.routing.RoutingState;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.proxy.ProblemWriter;
import dev.loomgate.gateway.resilience.ResilienceRegistry;
import dev.loomgate.gateway.route.Route;
import dev.loomgate.gateway.upstream.Upstream;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

/**
 * The admin API under {@code /admin} on the admin port: routes, upstreams (health, ejection,
 * breaker, in-flight), config state and draining. JSON in and out; every error is
 * problem+json. With a token configured every {@code /admin} request needs
 * {@code Authorization: Bearer <token>}; the health and metrics endpoints stay open for load
 * balancers and scrapers.
 */
public final class AdminApi {
    private static final JsonProvider JSON = JsonProvider.provider();
    private static final int MAX_BODY = 16 * 1024;

    /** Starts a drain; false when the node is not serving (already draining or stopped). */
    @FunctionalInterface
    public interface Drainer {
        boolean drain(Duration timeout, Duration quietPeriod);
    }

    private final RoutingState routing;
    private final ResilienceRegistry resilience;
    private final Drainer drainer;
    private final Duration defaultTimeout;
    private final Duration defaultQuiet;
    private final Optional<byte[]> token;

    public AdminApi(RoutingState routing, ResilienceRegistry resilience, Drainer drainer, Duration defaultTimeout,
                    Duration defaultQuiet, Optional<String> token) {
        this.routing = routing;
        this.resilience = resilience;
        this.drainer = drainer;
        this.defaultTimeout = defaultTimeout;
        this.defaultQuiet = defaultQuiet;
        this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    public void register(HttpRouting.Builder r) {
        r.any("/admin", this::dispatch);
        r.any("/admin/*", this::dispatch);
    }

    private void dispatch(ServerRequest req, ServerResponse res) {
        String path = req.path().path();
        if (!authorized(req, token)) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"loomgate-admin\"");
            problem(res, path, Problem.Type.UNAUTHORIZED, "the admin API needs Authorization: Bearer <admin token>");
            return;
        }
        String method = req.prologue().method().text();
        String[] parts = path.replaceAll("/+$", "").split("/");
        // parts: "", "admin", resource, [name]
        String resource = parts.length > 2 ? parts[2] : "";
        Optional<String> name = parts.length == 4 ? Optional.of(parts[3]) : Optional.empty();
        if (parts.length > 4) {
            problem(res, path, Problem.Type.NOT_FOUND, "no admin resource " + path);
            return;
        }
        try {
            switch (resource) {
                case "routes" -> {
                    if (allow(method, "GET", res, path)) {
                        name.ifPresentOrElse(id -> route(res, path, id), () -> routes(res));
                    }
                }
                case "upstreams" -> {
                    if (allow(method, "GET", res, path)) {
                        name.ifPresentOrElse(n -> upstream(res, path, n), () -> upstreams(res));
                    }
                }
                case "config" -> {
                    if (name.isPresent()) {
                        problem(res, path, Problem.Type.NOT_FOUND, "no admin resource " + path);
                    } else if (allow(method, "GET", res, path)) {
                        config(res);
                    }
                }
                case "drain" -> {
                    if (name.isPresent()) {
                        problem(res, path, Problem.Type.NOT_FOUND, "no admin resource " + path);
                    } else if (allow(method, "POST", res, path)) {
                        drain(req, res, path);
                    }
                }
                default -> problem(res, path, Problem.Type.NOT_FOUND,
                        "no admin resource " + path + " (try /admin/routes, /admin/upstreams, /admin/config, /admin/drain, /admin/cluster, /admin/stats)");
            }
        } catch (BadInput e) {
            problem(res, path, Problem.Type.BAD_REQUEST, e.getMessage());
        }
    }

    /** True without a token, or when the request carries {@code Authorization: Bearer <token>}. */
    static boolean authorized(ServerRequest req, Optional<byte[]> token) {
        if (token.isEmpty()) {
            return true;
        }
        Optional<String> auth = req.headers().first(HeaderNames.AUTHORIZATION);
        if (auth.isEmpty() || !auth.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = auth.get().substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token.get()); // constant time
    }

    private static boolean allow(String method, String allowed, ServerResponse res, String path) {
        if (method.equals(allowed) || allowed.equals("GET") && method.equals("HEAD")) {
            return true;
        }
        res.header(HeaderNames.ALLOW, allowed);
        problem(res, path, Problem.Type.METHOD_NOT_ALLOWED, method + " is not allowed on " + path + " (use " + allowed + ")");
        return false;
    }

    private void route(ServerResponse res, String path, String id) {
        RoutingSnapshot s = routing.current();
        Optional<Route> route = s.routes().routes().stream().filter(r -> r.id().equals(id)).findFirst();
        if (route.isEmpty()) {
            problem(res, path, Problem.Type.NOT_FOUND, "no route with id '" + id + "' in config version " + s.version());
            return;
        }
        send(res, AdminJson.route(route.get(), s.pipelines().of(route.get())).add("version", s.version()).build());
    }

    private void routes(ServerResponse res) {
        RoutingSnapshot s = routing.current();
        var list = JSON.createArrayBuilder();
        s.routes().routes().forEach(r -> list.add(AdminJson.route(r, s.pipelines().of(r))));
        send(res, JSON.createObjectBuilder().add("version", s.version()).add("appliedAt", s.appliedAt().toString())
                .add("routes", list).build());
    }

    private void upstream(ServerResponse res, String path, String name) {
        RoutingSnapshot s = routing.current();
        Optional<Upstream> u = s.upstream(name);
        if (u.isEmpty()) {
            problem(res, path, Problem.Type.NOT_FOUND, "no upstream named '" + name + "' in config version " + s.version());
            return;
        }
        send(res, AdminJson.upstream(u.get(), resilience).add("version", s.version()).build());
    }

    private void upstreams(ServerResponse res) {
        RoutingSnapshot s = routing.current();
        var list = JSON.createArrayBuilder();
        new TreeMap<>(s.upstreams()).values().forEach(u -> list.add(AdminJson.upstream(u, resilience)));
        send(res, JSON.createObjectBuilder().add("version", s.version()).add("upstreams", list).build());
    }

    private void config(ServerResponse res) {
        RoutingState.View view = routing.view(); // version and last rejection of one swap
        RoutingSnapshot s = view.snapshot();
        JsonObjectBuilder b = JSON.createObjectBuilder()
                .add("version", s.version())
                .add("appliedAt", s.appliedAt().toString())
                .add("routes", s.routes().routes().size())
                .add("upstreams", s.upstreams().size());
        view.lastRejection().ifPresentOrElse(r -> b.add("lastRejection", JSON.createObjectBuilder()
                .add("source", r.source()).add("reason", r.reason()).add("at", r.at().toString())),
                () -> b.add("lastRejection", JsonValue.NULL));
        send(res, b.build());
    }

    private void drain(ServerRequest req, ServerResponse res, String path) throws BadInput {
        Duration timeout = defaultTimeout;
        Duration quiet = defaultQuiet;
        String body;
        try {
            byte[] bytes = req.content().hasEntity() ? req.content().inputStream().readNBytes(MAX_BODY + 1) : new byte[0];
            if (bytes.length > MAX_BODY) {
                throw new BadInput("body larger than " + MAX_BODY + " bytes");
            }
            body = new String(bytes, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new BadInput("reading the body failed: " + e.getMessage());
        }
        if (!body.isEmpty()) {
            JsonObject o;
            try (var reader = JSON.createReader(new StringReader(body))) {
                JsonValue v = reader.readValue();
                if (v.getValueType() != JsonValue.ValueType.OBJECT) {
                    throw new BadInput("body must be a JSON object like {\"timeout\": \"30s\", \"quiet-period\": \"5s\"}");
                }
                o = v.asJsonObject();
            } catch (JsonException e) {
                throw new BadInput("body is not valid JSON: " + e.getMessage());
            }
            for (Map.Entry<String, JsonValue> e : o.entrySet()) {
                switch (e.getKey()) {
                    case "timeout" -> timeout = duration(e.getKey(), e.getValue());
                    case "quiet-period" -> quiet = duration(e.getKey(), e.getValue());
                    default -> throw new BadInput("unknown field '" + e.getKey() + "' (allowed: timeout, quiet-period)");
                }
            }
        }
        if (!drainer.drain(timeout, quiet)) {
            problem(res, path, Problem.Type.CONFLICT, "the node is already draining or stopped");
            return;
        }
        res.status(Status.ACCEPTED_202);
        send(res, JSON.createObjectBuilder().add("status", "draining").add("timeoutMs", timeout.toMillis())
                .add("quietPeriodMs", quiet.toMillis()).build());
    }

    private static Duration duration(String field, JsonValue v) throws BadInput {
        if (v.getValueType() != JsonValue.ValueType.STRING) {
            throw new BadInput("'" + field + "' must be a duration string like \"30s\"");
        }
        try {
            Duration d = Units.duration(((jakarta.json.JsonString) v).getString());
            if (d.isZero() || d.compareTo(Duration.ofHours(1)) > 0) {
                throw new BadInput("'" + field + "' must be between 1ms and 1h");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new BadInput("'" + field + "': " + e.getMessage());
        }
    }

    static void sendJson(ServerResponse res, JsonObject o) {
        send(res, o);
    }

    private static void send(ServerResponse res, JsonObject o) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(o.toString());
    }

    private static void problem(ServerResponse res, String path, Problem.Type type, String detail) {
        ProblemWriter.send(res, new Problem(type, detail), path, "");
    }

    /** Admin input that is refused with 400. */
    private static final class BadInput extends Exception {
        BadInput(String message) {
            super(message);
        }
    }
}
