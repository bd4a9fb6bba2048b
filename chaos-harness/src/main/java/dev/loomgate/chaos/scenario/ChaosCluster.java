package dev.loomgate.chaos.scenario;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the scenarios need from a running cluster. The launcher ({@code dev.loomgate.chaos.cluster.LocalCluster})
 * is adapted to this in one place ({@link ClusterLaunchers}), so the scenarios do not depend on its details.
 */
public interface ChaosCluster extends AutoCloseable {

    ClusterMode mode();

    /** Where clients send requests: the HAProxy frontend (loopback) or the VIP (namespace mode). */
    URI frontUrl();

    /** Gateway nodes, in order; {@link ClusterProcess#name()} is the value of their {@code X-Loomgate-Node} header. */
    List<ClusterProcess> gateways();

    /** Admin base URL of a gateway node ({@code http://127.0.0.1:9081}): /health/ready, /metrics, /admin/config. */
    URI adminUrl(ClusterProcess gateway);

    /** HAProxy processes; the name is the value of their {@code X-Loomgate-LB} header. */
    List<ClusterProcess> lbs();

    /** keepalived of an LB (namespace mode only). */
    Optional<ClusterProcess> keepalived(ClusterProcess lb);

    /** How to read an LB's server states. */
    HaproxyStats haproxyStats(ClusterProcess lb);

    /** The current Redis master according to Sentinel. */
    ClusterProcess redisMaster();

    /** Every redis-server (master and replicas). */
    List<ClusterProcess> redisServers();

    List<ClusterProcess> sentinels();

    ClusterProcess consul();

    List<ClusterProcess> upstreams();

    Path logsDir();

    /** The routes document the cluster serves; scenarios push variants of it with a new {@code version}. */
    String routesDocument();

    /** Validates and writes a routes document to Consul KV (the routes CLI); throws when that failed. */
    void publishRoutes(Path yaml) throws Exception;

    /** Runs the routes CLI's push and returns how it ended instead of throwing ({@code force}: --force). */
    RoutesPush pushRoutes(Path yaml, boolean force) throws Exception;

    /** The paths the load uses: a plain route, and a rate-limited one with its limit. */
    ClusterPaths paths();

    /** The namespace clients run in (namespace mode: the VIP and the nodes are reachable only from there). */
    default Optional<String> clientNamespace() {
        return Optional.empty();
    }

    /** GET as a client of the cluster would (from the client namespace in namespace mode). */
    default HttpResult httpGet(URI uri, java.util.Map<String, String> headers) throws java.io.IOException {
        return HttpResult.get(uri, headers);
    }

    default HttpResult httpGet(URI uri) throws java.io.IOException {
        return httpGet(uri, java.util.Map.of());
    }

    /** Headers the admin API needs ({@code Authorization: Bearer <token>} when the nodes have an admin token). */
    default java.util.Map<String, String> adminHeaders() {
        return java.util.Map.of();
    }

    /** Prometheus and Alertmanager of the cluster, when it runs them (both modes of the local cluster do). */
    default Optional<Monitoring> monitoring() {
        return Optional.empty();
    }

    /**
     * Where alerts can be seen.
     *
     * @param alertmanagerUrl  Alertmanager's base URL ({@code /api/v2/alerts}), reachable with {@link #httpGet(URI)}
     * @param prometheusConfig the rendered prometheus.yml (intervals and rule files: the bounds an alert must meet)
     */
    record Monitoring(URI alertmanagerUrl, Path prometheusConfig) {
    }

    /**
     * The saga participants of the demo's place-order route by name (orders, stock, payments) with their base URL
     * ({@code GET /state}); empty when the cluster runs none.
     */
    default java.util.Map<String, URI> sagaParticipants() {
        return java.util.Map.of();
    }

    /**
     * Empty when the cluster is whole again: every node ready, every load balancer sees every node UP, the front
     * answers; else what is not. Scenarios that run one after another on one cluster (ChaosCiTest) wait for it.
     */
    String notReadyReason();

    /** Network controls (namespace mode only). */
    Optional<NetworkControl> network();

    @Override
    void close();
}
