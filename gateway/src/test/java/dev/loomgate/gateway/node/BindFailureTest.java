package dev.loomgate.gateway.node;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.loomgate.gateway.GatewayNode;
import dev.loomgate.gateway.config.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A node whose port is taken fails to start instead of claiming to be ready on port -1. */
class BindFailureTest {
    @Test
    void portInUseFailsTheStart(@TempDir Path dir) throws Exception {
        Path routes = dir.resolve("routes.yaml");
        Files.writeString(routes, "routes: []\n");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            NodeConfig config = NodeConfig.builder()
                    .node(n -> n.host("127.0.0.1").port(taken.getLocalPort()).adminHost("127.0.0.1").adminPort(0))
                    .routesFile(routes)
                    .accessLog("off")
                    .build();
            IOException e = assertThrows(IOException.class, () -> GatewayNode.start(config));
            assertTrue(e.getMessage().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), e.getMessage());
        }
    }
}
