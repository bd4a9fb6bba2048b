package dev.loomgate.loadtests.gatling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayNodeTest {
    @Test
    void adminUrlFromARenderedNodeConfig() {
        String yaml = """
                # Ansible managed -- node gw1
                node:
                  id: gw1
                  host: 127.0.0.1
                  port: 18081
                  admin-host: 127.0.0.2
                  admin-port: 19081
                """;
        assertEquals(Optional.of("http://127.0.0.2:19081"), GatewayNode.adminUrlFromConfig(yaml));
        assertEquals(Optional.of("http://127.0.0.1:9080"), GatewayNode.adminUrlFromConfig("node:\n  admin-port: 9080\n"));
        assertEquals(Optional.empty(), GatewayNode.adminUrlFromConfig("node:\n  port: 8080\n"));
    }

    @Test
    void pidFileLines() {
        assertEquals(Optional.of(new GatewayNode.PidFile(4242, "gw2")),
                GatewayNode.PidFile.parse("4242 123456 /usr/lib/jvm/bin/java gw2\n"));
        assertEquals(Optional.empty(), GatewayNode.PidFile.parse("4242\n"));
        assertEquals(Optional.empty(), GatewayNode.PidFile.parse("x 1 java gw1"));
    }

    @Test
    void clusterNodesAreThePidFilesOfLiveProcessesWithAGatewayConfig(@TempDir Path work) throws IOException {
        long live = ProcessHandle.current().pid();
        Files.createDirectories(work.resolve("pids"));
        Files.writeString(work.resolve("pids/gw1.pid"), live + " 1 java gw1\n");
        Files.writeString(work.resolve("pids/redis1.pid"), live + " 1 redis-server redis1\n"); // no gateway.yaml
        Files.writeString(work.resolve("pids/gw2.pid"), Long.MAX_VALUE + " 1 java gw2\n"); // not running
        for (String gw : List.of("gw1", "gw2")) {
            Files.createDirectories(work.resolve("render/" + gw));
            Files.writeString(work.resolve("render/" + gw + "/gateway.yaml"), "node:\n  admin-port: 1908"
                    + gw.charAt(2) + "\n");
        }
        assertEquals(List.of(new GatewayNode("gw1", live, "http://127.0.0.1:19081")),
                ClusterEnvironment.discoverNodes(work));
        assertEquals(List.of(), ClusterEnvironment.discoverNodes(work.resolve("missing")));
    }
}
