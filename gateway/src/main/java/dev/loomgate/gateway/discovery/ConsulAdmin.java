package dev.loomgate.gateway.discovery;

import java.util.List;

import dev.loomgate.gateway.cluster.NodeRegistration;
import dev.loomgate.gateway.consul.ConsulException;
import dev.loomgate.gateway.observe.PrometheusText;

/** The admin endpoints and metrics of a node's Consul integration. */
final class ConsulAdmin {
    private final ConsulRuntime rt;

    ConsulAdmin(ConsulRuntime rt) {
        this.rt = rt;
    }

    /** The node's Consul state for the admin API. */
    String statusJson() {
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"node\":").append(q(rt.node().id()));
        sb.append(",\"version\":").append(q(rt.routing().current().version()));
        sb.append(",\"started-from\":").append(q(rt.startedFrom()));
        sb.append(",\"frozen\":").append(rt.frozen());
        sb.append(",\"routes-source\":").append(q(rt.kv().isPresent() ? "consul-kv" : "file"));
        rt.kv().ifPresent(k -> {
            var s = k.status();
            sb.append(",\"routes\":{\"state\":").append(q(s.state())).append(",\"version\":").append(q(s.version()))
                    .append(",\"applied-version\":").append(q(s.appliedVersion())).append(",\"reason\":")
                    .append(q(s.reason())).append(",\"at\":").append(q(s.at().toString())).append(",\"stale\":")
                    .append(k.stale()).append(",\"error\":").append(q(k.stale() ? k.lastError() : "")).append('}');
        });
        sb.append(",\"services\":[");
        boolean first = true;
        for (ServiceEndpointsWatcher w : rt.watchers()) {
            sb.append(first ? "" : ",");
            first = false;
            sb.append("{\"service\":").append(q(w.service().service())).append(",\"tags\":")
                    .append(w.service().tags().stream().map(ConsulAdmin::q).toList().toString())
                    .append(",\"endpoints\":")
                    .append(w.applied().stream().map(e -> q(e.id())).toList().toString())
                    .append(",\"stale\":").append(w.stale())
                    .append(",\"panic\":").append(w.panicking())
                    .append(",\"refused\":").append(w.refused())
                    .append(",\"error\":").append(q(w.stale() ? w.lastError() : "")).append('}');
        }
        sb.append("]");
        rt.registration().ifPresent(r -> sb.append(",\"registered\":").append(r.registered()));
        return sb.append('}').toString();
    }

    /** Cluster nodes from Consul: a live read, falling back to the watch's last view. */
    String nodesJson() {
        List<dev.loomgate.gateway.consul.ServiceInstance> nodes;
        boolean live = true;
        try {
            nodes = rt.client().healthService(NodeRegistration.SERVICE, List.of(), false, 0, rt.config().watchWait()).value();
        } catch (ConsulException | InterruptedException e) {
            nodes = rt.registration().map(NodeRegistration::nodes).orElse(List.of());
            live = false;
        }
        StringBuilder sb = new StringBuilder("{\"live\":").append(live).append(",\"nodes\":[");
        boolean first = true;
        for (var n : nodes) {
            sb.append(first ? "" : ",");
            first = false;
            sb.append("{\"id\":").append(q(n.serviceId())).append(",\"consul-node\":").append(q(n.node()))
                    .append(",\"address\":").append(q(n.address())).append(",\"port\":").append(n.port())
                    .append(",\"admin-port\":").append(q(n.meta().getOrDefault("admin-port", "")))
                    .append(",\"version\":").append(q(n.meta().getOrDefault("version", "")))
                    .append(",\"status\":").append(q(n.status())).append('}');
        }
        return sb.append("]}").toString();
    }

    void writeMetrics(PrometheusText p) {
        p.help("loomgate_consul_frozen", "gauge", "1 while the operator froze this node on its snapshot.");
        p.sample("loomgate_consul_frozen", "", rt.frozen() ? 1 : 0);
        p.help("loomgate_consul_stale", "gauge",
                "1 while Consul is unreachable and the last known data is in use (source: routes or service).");
        rt.kv().ifPresent(k -> p.sample("loomgate_consul_stale", "source=\"routes\"", k.stale() ? 1 : 0));
        for (ServiceEndpointsWatcher w : rt.watchers()) {
            p.sample("loomgate_consul_stale", "source=\"service:" + PrometheusText.escape(w.service().service()) + "\"",
                    w.stale() ? 1 : 0);
        }
        p.help("loomgate_discovery_panic", "gauge",
                "1 while a discovered endpoint list is refused (empty or below the panic threshold).");
        p.help("loomgate_discovery_refused_total", "counter", "Discovered endpoint lists refused by the panic guard.");
        p.help("loomgate_discovery_endpoints", "gauge", "Endpoints in use per Consul service.");
        for (ServiceEndpointsWatcher w : rt.watchers()) {
            String l = "service=\"" + PrometheusText.escape(w.service().service()) + "\"";
            p.sample("loomgate_discovery_panic", l, w.panicking() ? 1 : 0);
            p.sample("loomgate_discovery_refused_total", l, w.refused());
            p.sample("loomgate_discovery_endpoints", l, w.applied().size());
        }
        p.help("loomgate_consul_index_resets_total", "counter", "Blocking-query indexes that went backwards and were reset.");
        long resets = rt.kv().map(KvRoutesWatcher::indexResets).orElse(0L)
                + rt.watchers().stream().mapToLong(ServiceEndpointsWatcher::indexResets).sum();
        p.sample("loomgate_consul_index_resets_total", "", resets);
    }

    void register(io.helidon.webserver.http.HttpRouting.Builder r, java.util.Optional<String> token) {
        r.get("/admin/consul", guarded(token, (req, res) -> json(res, statusJson())));
        r.get("/admin/nodes", guarded(token, (req, res) -> json(res, nodesJson())));
        r.post("/admin/consul/freeze", guarded(token, (req, res) -> {
            rt.freeze();
            json(res, statusJson());
        }));
        r.post("/admin/consul/unfreeze", guarded(token, (req, res) -> {
            rt.unfreeze();
            json(res, statusJson());
        }));
    }

    private static io.helidon.webserver.http.Handler guarded(java.util.Optional<String> token,
                                                             io.helidon.webserver.http.Handler h) {
        if (token.isEmpty()) {
            return h;
        }
        byte[] expected = token.get().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return (req, res) -> {
            String auth = req.headers().first(io.helidon.http.HeaderNames.AUTHORIZATION).orElse("");
            boolean ok = auth.regionMatches(true, 0, "Bearer ", 0, 7) && java.security.MessageDigest.isEqual(
                    auth.substring(7).trim().getBytes(java.nio.charset.StandardCharsets.UTF_8), expected);
            if (!ok) {
                res.status(io.helidon.http.Status.UNAUTHORIZED_401);
                res.header(io.helidon.http.HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"loomgate-admin\"");
                res.send("{\"error\":\"the admin API needs Authorization: Bearer <admin token>\"}");
                return;
            }
            h.handle(req, res);
        };
    }

    private static void json(io.helidon.webserver.http.ServerResponse res, String body) {
        res.header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/json");
        res.header(io.helidon.http.HeaderNames.CACHE_CONTROL, "no-store");
        res.send(body);
    }

    private static String q(String s) {
        return dev.loomgate.gateway.http.Json.quote(s);
    }

}
