package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.loomgate.chaos.cluster.ClusterLayout.Host;

/** The gateway nodes: one JVM per host of group {@code gateways}, each with its rendered gateway.yaml. */
final class GatewayProcesses {
    private GatewayProcesses() {
    }

    /** Starts every node into {@code gateways} and waits until each one's /health/ready answers. */
    static void start(ClusterLayout layout, ClusterSpec spec, Probes probes, Launcher launcher,
                      Optional<Path> aotCache, List<ManagedProcess> gateways, Duration ready) throws IOException {
        for (Host h : layout.group("gateways")) {
            int admin = h.port("gateway", "admin-port");
            gateways.add(launcher.process(h.name(), h, command(aotCache, "-jar", spec.gatewayJar().toString(),
                    "--config", h.dir().resolve("gateway.yaml").toString()),
                    () -> probes.ok(h.netns(), "http://" + h.address() + ":" + admin + "/health/ready"), () -> { }));
        }
        for (ManagedProcess g : gateways) {
            g.awaitReady(ready);
        }
        launcher.progress().accept(gateways.size() + " gateway nodes ready");
    }

    /** A node's command: with the gateway jar's AOT cache when there is one (it replaces -Xshare). */
    private static List<String> command(Optional<Path> aotCache, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Launcher.javaLauncher().toString());
        cmd.addAll(LocalCluster.GATEWAY_JVM_FLAGS);
        cmd.add(aotCache.map(p -> "-XX:AOTCache=" + p).orElse("-Xshare:auto"));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
