package dev.loomgate.gateway;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

import dev.loomgate.gateway.admin.AdminApi;
import dev.loomgate.gateway.admin.AdminGuard;
import dev.loomgate.gateway.admin.AdminRouting;
import dev.loomgate.gateway.admin.AdminUi;
import dev.loomgate.gateway.admin.CacheAdmin;
import dev.loomgate.gateway.admin.ClusterPage;
import dev.loomgate.gateway.admin.IntrospectionAdmin;
import dev.loomgate.gateway.admin.JobsAdmin;
import dev.loomgate.gateway.admin.SagaAdmin;
import dev.loomgate.gateway.cluster.NodeRegistration;
import dev.loomgate.gateway.config.NodeConfig;
import dev.loomgate.gateway.discovery.ConsulRuntime;
import dev.loomgate.gateway.observe.GatewayMetrics;
import dev.loomgate.gateway.observe.TrafficHistory;
import dev.loomgate.gateway.proxy.ProblemDirectHandler;
import dev.loomgate.gateway.resilience.ResilienceRegistry;
import dev.loomgate.gateway.routing.RoutingState;
import io.helidon.http.DirectHandler;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;

/**
 * The admin listener (health, metrics, admin API, cluster page), which stays on Helidon: what it serves and in
 * which order the handlers are registered (the specific /admin/* paths before AdminApi's catch-all).
 */
final class AdminListener {
    private AdminListener() {
    }

    /** What the admin side reads from the node; {@code adminToken} is checked before anything opens. */
    record Parts(NodeConfig config, Optional<String> adminToken, NodeTls tls, GatewayMetrics metrics, RoutingState routing,
                 PolicyServices services, ResilienceRegistry resilience, TrafficHistory trafficHistory,
                 Optional<ConsulRuntime> consul, Supplier<GatewayNode.Phase> phase, AdminApi.Drainer drainer) {
    }

    /** Builds the (not yet started) admin server. */
    static WebServer create(Parts node) {
        NodeConfig config = node.config();
        var limits = config.limits();
        DirectHandler problems = new ProblemDirectHandler();
        WebServerConfig.Builder admin = WebServer.builder();
        node.tls().configureAdmin(admin);
        return admin
                .shutdownHook(false)
                .host(config.node().adminHost())
                .port(config.node().adminPort())
                .shutdownGracePeriod(Duration.ofMillis(200))
                .protocolsDiscoverServices(false)
                .addProtocol(Http1Config.builder()
                        .maxHeadersSize(limits.maxHeaderSize())
                        .maxPrologueLength(limits.maxRequestLine())
                        .validateRequestHeaders(true)
                        .build())
                .errorHandling(e -> e.includeEntity(true))
                .directHandlers(d -> {
                    for (DirectHandler.EventType t : DirectHandler.EventType.values()) {
                        d.addHandler(t, problems);
                    }
                })
                .routing(r -> register(r, node))
                .build();
    }

    private static void register(HttpRouting.Builder r, Parts node) {
        NodeConfig config = node.config();
        Optional<String> adminToken = node.adminToken();
        Supplier<GatewayNode.Phase> phase = node.phase();
        PolicyServices services = node.services();
        r.addFilter(new AdminGuard(config.edge().admin())); // CSRF and DNS rebinding: docs/SECURITY.md
        AdminRouting.register(r, node.metrics(), () -> phase.get() == GatewayNode.Phase.READY,
                () -> phase.get().name().toLowerCase());
        node.consul().ifPresent(c -> c.registerAdmin(r, adminToken)); // before AdminApi's /admin/* catch-all
        ClusterPage.Builder page = ClusterPage.builder().nodeId(config.node().id())
                .phase(() -> phase.get().name().toLowerCase(Locale.ROOT))
                .routing(node.routing()).history(node.trafficHistory()).rateLimits(services.rateLimits())
                .consulNodes(() -> node.consul().flatMap(ConsulRuntime::registration).map(NodeRegistration::nodes));
        adminToken.ifPresent(page::token);
        config.operations().prometheusUrl().ifPresent(page::prometheus);
        page.build().register(r); // also before the catch-all
        AdminUi.load().register(r);
        new IntrospectionAdmin(services.introspectionCache(), adminToken).register(r);
        services.async().ifPresent(a -> new JobsAdmin(a, adminToken).register(r));
        services.sagas().ifPresent(s -> new SagaAdmin(s, adminToken).register(r));
        new CacheAdmin(services.responseCache(), adminToken).register(r);
        new AdminApi(node.routing(), node.resilience(), node.drainer(), config.drainTimeout(),
                config.operations().drainQuietPeriod(), adminToken).register(r);
    }
}
