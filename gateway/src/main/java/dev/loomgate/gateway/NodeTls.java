package dev.loomgate.gateway;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import dev.loomgate.gateway.config.NodeConfig;
import dev.loomgate.gateway.tls.ServerTls;
import dev.loomgate.gateway.tls.ServerTlsSettings;
import dev.loomgate.gateway.tls.TlsMaterialException;
import dev.loomgate.gateway.yaml.ConfigException;
import io.helidon.common.tls.Tls;
import io.helidon.webserver.WebServerConfig;

/** The node's TLS listeners ({@code front-door.tls}, {@code admin.tls}): loaded at start, reloaded by their watchers. */
final class NodeTls implements AutoCloseable {
    private final Optional<ServerTls> frontDoor;
    private final Optional<ServerTls> admin;

    private NodeTls(Optional<ServerTls> frontDoor, Optional<ServerTls> admin) {
        this.frontDoor = frontDoor;
        this.admin = admin;
    }

    static NodeTls load(NodeConfig config) throws ConfigException {
        Optional<ServerTls> frontDoor = config.frontDoor().tls().isPresent()
                ? Optional.of(load("front-door", config.frontDoor().tls().get())) : Optional.empty();
        Optional<ServerTls> admin = config.edge().admin().tls().isPresent()
                ? Optional.of(load("admin", config.edge().admin().tls().get())) : Optional.empty();
        return new NodeTls(frontDoor, admin);
    }

    private static ServerTls load(String listener, ServerTlsSettings settings) throws ConfigException {
        try {
            return ServerTls.load(listener, settings);
        } catch (TlsMaterialException e) {
            // the config parser loaded these files already: one changed since
            throw new ConfigException("node config", 0, listener + ".tls", e.getMessage(), e);
        }
    }

    Optional<ServerTls> frontDoor() {
        return frontDoor;
    }

    /** TLS on the admin port (Helidon) when configured. */
    void configureAdmin(WebServerConfig.Builder server) {
        admin.ifPresent(t -> server.tls(Tls.builder()
                .sslContext(t.followingContext()) // SNI on the current certificates: a reload needs no Helidon reload
                .enabledProtocols(t.settings().protocols())
                .enabledCipherSuites(t.settings().cipherSuites())
                .build()));
    }

    List<ServerTls> listeners() {
        return Stream.of(frontDoor, admin).flatMap(Optional::stream).toList();
    }

    void startWatching() {
        listeners().forEach(ServerTls::startWatching);
    }

    @Override
    public void close() {
        listeners().forEach(ServerTls::close);
    }
}
