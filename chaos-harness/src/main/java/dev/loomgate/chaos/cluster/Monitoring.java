package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.loomgate.chaos.cluster.ClusterLayout.Host;

/** Prometheus (with the Loomgate alert rules) and Alertmanager on the monitoring host. */
final class Monitoring {
    private Monitoring() {
    }

    /** Starts Alertmanager, then Prometheus, into {@code procs}; waits for each to be ready. */
    static void start(ClusterLayout layout, Probes probes, Launcher launcher, ClusterProcesses procs,
                      Duration ready) throws IOException {
        // Alertmanager first, so the first alert Prometheus sends has somewhere to go
        ManagedProcess alertmanager = launchAlertmanager(layout, probes, launcher);
        procs.alertmanager = Optional.of(alertmanager);
        alertmanager.awaitReady(ready);
        ManagedProcess prometheus = launchPrometheus(layout, probes, launcher);
        procs.prometheus = Optional.of(prometheus);
        prometheus.awaitReady(ready);
    }

    /** One instance: no gossip port. */
    private static ManagedProcess launchAlertmanager(ClusterLayout layout, Probes probes, Launcher launcher)
            throws IOException {
        Host h = host(layout);
        int amPort = h.port("alertmanager", "port");
        return launcher.process("alertmanager-" + h.name(), h, List.of("prometheus-alertmanager",
                "--config.file=" + h.dir().resolve("alertmanager.yml"),
                "--storage.path=" + h.dir().resolve("alertmanager-data"),
                "--web.listen-address=" + h.address() + ":" + amPort, "--cluster.listen-address="),
                () -> probes.ok(h.netns(), "http://" + h.address() + ":" + amPort + "/-/ready"), () -> { });
    }

    private static ManagedProcess launchPrometheus(ClusterLayout layout, Probes probes, Launcher launcher)
            throws IOException {
        Host h = host(layout);
        int port = h.port("prometheus", "port");
        return launcher.process("prometheus-" + h.name(), h, List.of("prometheus",
                "--config.file=" + config(layout), "--storage.tsdb.path=" + h.dir().resolve("data"),
                "--web.listen-address=" + h.address() + ":" + port),
                () -> probes.ok(h.netns(), "http://" + h.address() + ":" + port + "/-/ready"), () -> { });
    }

    static String prometheusUrl(ClusterLayout layout) {
        Host h = host(layout);
        return "http://" + h.address() + ":" + h.port("prometheus", "port");
    }

    static String alertmanagerUrl(ClusterLayout layout) {
        Host h = host(layout);
        return "http://" + h.address() + ":" + h.port("alertmanager", "port");
    }

    /** The rendered prometheus.yml Prometheus runs with. */
    static Path config(ClusterLayout layout) {
        return host(layout).dir().resolve("prometheus.yml");
    }

    private static Host host(ClusterLayout layout) {
        return layout.group("monitoring").get(0);
    }
}
