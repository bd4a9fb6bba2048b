package dev.loomgate.consul.standin.api;

import dev.loomgate.consul.standin.store.ConsulError;
import dev.loomgate.consul.standin.store.Store;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Consul's HTTP API dispatcher: Go-mux-like path matching, method enforcement with 405 + Allow (G-9), plain-text
 * errors (G-4) and 404 for unknown paths (G-12). Without an {@link AclPolicy} tokens are accepted and ignored (ACLs
 * disabled); with one, requests are checked as Consul does with {@code default_policy = "deny"} (SPEC G-2a).
 */
public final class HttpApi implements Handler {
    private static final Logger LOG = Logger.getLogger(HttpApi.class.getName());

    private final List<Route> routes = new ArrayList<>();
    private final Optional<AclPolicy> acl;

    private record Route(String path, boolean prefix, List<String> methods, boolean checksDatacenter,
                         Function<ApiRequest, ApiResponse> handler) {
        /** The ACL resource the route touches, or empty for the status endpoints (Consul: "ACL Required: none"). */
        Optional<String> resource() {
            if (path.startsWith("/v1/status/")) {
                return Optional.empty();
            }
            if (path.startsWith(KvEndpoint.PREFIX)) {
                return Optional.of("key");
            }
            if (path.startsWith("/v1/session/")) {
                return Optional.of("session");
            }
            if (path.startsWith("/v1/agent/self")) {
                return Optional.of("agent");
            }
            if (path.startsWith("/v1/agent/") || path.startsWith("/v1/health/") || path.startsWith("/v1/catalog/")) {
                return Optional.of("service");
            }
            return Optional.of("operator");
        }

        boolean matches(String requestPath) {
            return prefix ? requestPath.startsWith(path) : requestPath.equals(path);
        }
    }

    public HttpApi(Store store, IntSupplier httpPort) {
        this(store, httpPort, Optional.empty());
    }

    public HttpApi(Store store, IntSupplier httpPort, Optional<AclPolicy> acl) {
        this.acl = acl;
        KvEndpoint kv = new KvEndpoint(store);
        CatalogEndpoints catalog = new CatalogEndpoints(store);
        AgentEndpoint agent = new AgentEndpoint(store, httpPort);
        SessionEndpoint session = new SessionEndpoint(store);
        prefix(KvEndpoint.PREFIX, List.of("GET", "PUT", "DELETE"), true, kv::handle);
        exact("/v1/agent/self", List.of("GET"), false, agent::self);
        exact("/v1/agent/services", List.of("GET"), false, agent::services);
        exact("/v1/agent/service/register", List.of("PUT"), false, agent::register);
        prefix(AgentEndpoint.DEREGISTER, List.of("PUT"), false, agent::deregister);
        prefix(AgentEndpoint.CHECK_PASS, List.of("PUT"), false,
                r -> agent.ttlUpdate(r, AgentEndpoint.CHECK_PASS, "passing"));
        prefix(AgentEndpoint.CHECK_WARN, List.of("PUT"), false,
                r -> agent.ttlUpdate(r, AgentEndpoint.CHECK_WARN, "warning"));
        prefix(AgentEndpoint.CHECK_FAIL, List.of("PUT"), false,
                r -> agent.ttlUpdate(r, AgentEndpoint.CHECK_FAIL, "critical"));
        prefix(AgentEndpoint.CHECK_UPDATE, List.of("PUT"), false, agent::checkUpdate);
        prefix(CatalogEndpoints.HEALTH_SERVICE, List.of("GET"), true, catalog::health);
        exact("/v1/catalog/services", List.of("GET"), true, catalog::catalogServices);
        prefix(CatalogEndpoints.CATALOG_SERVICE, List.of("GET"), true, catalog::catalogService);
        exact("/v1/status/leader", List.of("GET"), true, catalog::leader);
        exact("/v1/status/peers", List.of("GET"), true, catalog::peers);
        exact("/v1/session/create", List.of("PUT"), true, session::create);
        prefix(SessionEndpoint.RENEW, List.of("PUT"), true, session::renew);
        prefix(SessionEndpoint.DESTROY, List.of("PUT"), true, session::destroy);
        prefix(SessionEndpoint.INFO, List.of("GET"), true, session::info);
    }

    private void exact(String path, List<String> methods, boolean dc, Function<ApiRequest, ApiResponse> handler) {
        routes.add(new Route(path, false, methods, dc, handler));
    }

    private void prefix(String path, List<String> methods, boolean dc, Function<ApiRequest, ApiResponse> handler) {
        routes.add(new Route(path, true, methods, dc, handler));
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        String method = req.prologue().method().text();
        String path = req.path().path();
        ApiResponse response;
        try {
            byte[] body = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
            QueryParams query = new QueryParams(req.query().rawValue());
            response = dispatch(new ApiRequest(method, path, query, body), token(req, query));
        } catch (ConsulError e) {
            response = ApiResponse.text(e.status(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "internal error on " + method + " " + path, e);
            response = ApiResponse.text(500, String.valueOf(e.getMessage()));
        }
        write(res, response);
    }

    /** G-2: {@code ?token=} first, then {@code X-Consul-Token}, then {@code Authorization: Bearer}. */
    private static Optional<String> token(ServerRequest req, QueryParams query) {
        Optional<String> q = query.first("token").filter(t -> !t.isEmpty());
        if (q.isPresent()) {
            return q;
        }
        Optional<String> header = req.headers().first(HeaderNames.create("X-Consul-Token")).filter(t -> !t.isEmpty());
        if (header.isPresent()) {
            return header;
        }
        return req.headers().first(HeaderNames.AUTHORIZATION)
                .filter(a -> a.length() > 7 && a.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer "))
                .map(a -> a.substring(7).trim())
                .filter(t -> !t.isEmpty());
    }

    ApiResponse dispatch(ApiRequest request) {
        return dispatch(request, Optional.empty());
    }

    ApiResponse dispatch(ApiRequest request, Optional<String> token) {
        Route route = routes.stream().filter(r -> r.matches(request.path())).findFirst().orElse(null);
        if (route == null) {
            return request.path().startsWith("/v1/")
                    ? ApiResponse.text(404, "Invalid URL path: not a recognized HTTP API endpoint")
                    : ApiResponse.text(404, "404 page not found");
        }
        String allow = String.join(",", route.methods()) + ",OPTIONS";
        if (request.method().equals("OPTIONS")) {
            return ApiResponse.empty(200).header("Allow", allow);
        }
        if (!route.methods().contains(request.method())) {
            return ApiResponse.text(405, "method " + request.method() + " not allowed").header("Allow", allow);
        }
        if (acl.isPresent() && route.resource().isPresent()) {
            Optional<String> refusal = acl.get().refusal(token, !request.method().equals("GET"),
                    route.resource().get());
            if (refusal.isPresent()) {
                return ApiResponse.text(403, refusal.get());
            }
        }
        if (route.checksDatacenter()) {
            String dc = request.query().first("dc").orElse("");
            if (!dc.isEmpty() && !dc.equals("dc1")) {
                throw ConsulError.internal("No path to datacenter");
            }
        }
        return route.handler().apply(request);
    }

    private void write(ServerResponse res, ApiResponse response) {
        res.status(Status.create(response.status()));
        res.header("X-Consul-Default-Acl-Policy", acl.isPresent() ? "deny" : "allow");
        for (Map.Entry<String, String> h : response.headers().entrySet()) {
            res.header(h.getKey(), h.getValue());
        }
        response.contentType().ifPresent(ct -> res.header(HeaderNames.CONTENT_TYPE, ct));
        res.send(response.body());
    }
}
