package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.loomgate.chaos.cluster.ClusterLayout.Host;

/** The Consul stand-in process (HTTPS and an ACL token with secure backends) and its address. */
final class ConsulStandin {
    private ConsulStandin() {
    }

    /** Starts the stand-in on the layout's consul host into {@code procs} and waits until it has a leader. */
    static void start(ClusterLayout layout, ClusterSpec spec, Optional<BackendSecurity> security, Probes probes,
                      Launcher launcher, ClusterProcesses procs, Duration ready) throws IOException {
        Host h = layout.group("consul").get(0);
        int port = h.port("consul", "port");
        Path data = h.dir().resolve("data");
        List<String> cmd = Launcher.java("-XX:TieredStopAtLevel=1", "-Xmx96m", "-jar", spec.consulJar().toString(),
                "--host", h.address(), "--port", Integer.toString(port), "--data-dir", data.toString());
        security.ifPresent(b -> cmd.addAll(List.of("--tls-cert", b.consulCert().toString(), "--tls-key",
                b.consulKey().toString(), "--acl-management-token-file", b.consulTokenFile().toString())));
        String url = url(layout, probes);
        ManagedProcess consul = launcher.process(h.name(), h, cmd,
                () -> probes.ok(h.netns(), url + "/v1/status/leader"), () -> { });
        procs.consul = Optional.of(consul);
        consul.awaitReady(ready);
        launcher.progress().accept("consul stand-in ready on " + url);
    }

    /** {@code http://host:port}, or {@code https://} with secure backends. */
    static String url(ClusterLayout layout, Probes probes) {
        Host h = layout.group("consul").get(0);
        return probes.consulScheme() + "://" + h.address() + ":" + h.port("consul", "port");
    }
}
