package dev.loomgate.gateway;

import dev.loomgate.gateway.config.NodeConfig;
import dev.loomgate.gateway.frontdoor.FrontDoorHandler;
import dev.loomgate.gateway.frontdoor.FrontDoorServer;
import dev.loomgate.gateway.frontdoor.FrontDoorSettings;
import dev.loomgate.gateway.observe.GatewayMetrics;

/**
 * The proxy listener: our strict HTTP/1 server (docs/ARCHITECTURE.md, "Front door") built from the node config's
 * limits and {@code front-door:} block, and its connection metrics.
 */
final class ProxyListener {
    private ProxyListener() {
    }

    /** Builds the (not yet started) front door, with TLS when {@code front-door.tls} is set. */
    static FrontDoorServer create(FrontDoorSettings settings, NodeTls tls, FrontDoorHandler handler) {
        return tls.frontDoor().map(t -> new FrontDoorServer(settings, t, handler))
                .orElseGet(() -> new FrontDoorServer(settings, handler));
    }

    /** The listener's settings; built before the TLS material is loaded, as the node always did. */
    static FrontDoorSettings settings(NodeConfig config) {
        var limits = config.limits();
        var fd = config.frontDoor();
        return FrontDoorSettings.builder()
                .host(config.node().host())
                .port(config.node().port())
                .maxRequestLine(limits.maxRequestLine())
                .maxHeaderSize(limits.maxHeaderSize())
                .maxBodySize(limits.maxBodySize())
                .maxConcurrentRequests(limits.maxConcurrentRequests())
                .maxHeaderCount(fd.maxHeaderCount())
                .maxConnections(fd.maxConnections())
                .maxConnectionsPerClient(fd.maxConnectionsPerClient())
                .headerReadTimeout(fd.headerReadTimeout())
                .bodyIdleTimeout(fd.bodyIdleTimeout())
                .keepAliveTimeout(fd.keepAliveTimeout())
                .writeTimeout(fd.writeTimeout())
                .allowTrace(fd.allowTrace())
                .build();
    }

    /** Open, refused and write-timed-out client connections. */
    static void addMetricSource(GatewayMetrics metrics, FrontDoorServer frontDoor) {
        metrics.addSource(p -> {
            p.help("loomgate_client_connections", "gauge", "Open client connections on the proxy listener.");
            p.sample("loomgate_client_connections", "", frontDoor.openConnections());
            p.help("loomgate_client_connections_refused_total", "counter",
                    "Client connections refused by max-connections or max-connections-per-client.");
            p.sample("loomgate_client_connections_refused_total", "", frontDoor.refusedConnections());
            p.help("loomgate_client_write_timeouts_total", "counter",
                    "Client connections closed because a response write exceeded write-timeout.");
            p.sample("loomgate_client_write_timeouts_total", "", frontDoor.writeTimeouts());
        });
    }
}
