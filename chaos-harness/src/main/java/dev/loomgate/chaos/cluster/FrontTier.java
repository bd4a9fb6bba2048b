package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.loomgate.chaos.cluster.ClusterLayout.Host;

/**
 * The front: HAProxy per host of group {@code lbs} and, in namespace mode, keepalived moving the VIP between
 * them; the front's addresses and what HAProxy thinks of the gateway nodes.
 */
final class FrontTier {
    private FrontTier() {
    }

    /** Starts HAProxy into {@code lbs} (waits for /healthz) and in namespace mode keepalived into {@code keepalived}. */
    static void start(ClusterLayout layout, ClusterSpec spec, Probes probes, Launcher launcher,
                      List<ManagedProcess> lbs, List<ManagedProcess> keepalived, Duration ready) throws IOException {
        for (Host h : layout.group("lbs")) {
            String stats = h.string("haproxy", "stats");
            lbs.add(launcher.process(h.name(), h, List.of("haproxy", "-f", h.dir().resolve("haproxy.cfg").toString(),
                    "-db", "-W", "-S", h.dir().resolve("master.sock").toString()),
                    () -> probes.ok(h.netns(), "http://" + stats + "/healthz"), () -> { }));
        }
        for (ManagedProcess lb : lbs) {
            lb.awaitReady(ready);
        }
        if (spec.netnsMode()) {
            for (Host h : layout.group("lbs")) {
                Path d = h.dir();
                // root namespace + net_namespace in the file: vrrp_track_process needs the process connector
                ManagedProcess k = new ManagedProcess("keepalived-" + h.name(), h.name(), Optional.empty(),
                        List.of("keepalived", "-n", "-l", "-D", "-f", d.resolve("keepalived.conf").toString(),
                                "-p", d.resolve("keepalived.pid").toString(), "-r", d.resolve("vrrp.pid").toString(),
                                "-c", d.resolve("checker.pid").toString()),
                        Map.of(), launcher.workDir(), () -> true, () -> { }, launcher.progress());
                launcher.start(k);
                keepalived.add(k);
            }
        }
        launcher.progress().accept(lbs.size() + " HAProxy" + (keepalived.isEmpty() ? "" : " + keepalived")
                + " started");
    }

    /** Empty when every HAProxy sees all {@code gateways} nodes UP; else which one sees what. */
    static String notReadyReason(ClusterLayout layout, int gateways) {
        for (Host h : layout.group("lbs")) {
            try {
                Map<String, String> status = Probes.backendStatus(h.dir().resolve("haproxy.sock"), "gateways");
                if (status.size() != gateways || !status.values().stream().allMatch(s -> s.equals("UP"))) {
                    return h.name() + " sees " + status;
                }
            } catch (IOException e) {
                return h.name() + " runtime API: " + e.getMessage();
            }
        }
        return "";
    }

    /** The plain HTTP front of the first LB (the VIP in namespace mode). */
    static String plainUrl(ClusterLayout layout) {
        Host lb = layout.group("lbs").get(0);
        return "http://" + lb.string("haproxy", "frontend");
    }

    /** The front's address without the port. */
    static String address(ClusterLayout layout) {
        String front = layout.group("lbs").get(0).string("haproxy", "frontend");
        return front.substring(0, front.lastIndexOf(':'));
    }

    /** HAProxy stats page of each LB. */
    static List<String> statsUrls(ClusterLayout layout) {
        return layout.group("lbs").stream().map(h -> "http://" + h.string("haproxy", "stats") + "/stats").toList();
    }
}
