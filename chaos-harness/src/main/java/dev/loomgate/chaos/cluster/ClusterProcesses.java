package dev.loomgate.chaos.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The cluster's processes by role, filled while the cluster starts (a failed start leaves the ones that ran),
 * and stopping them: tier by tier, clients of a tier before it, the processes of one tier in parallel.
 */
final class ClusterProcesses {
    /** Every process started, whatever its role (the launcher adds each one before it runs). */
    final List<ManagedProcess> started = new ArrayList<>();
    final List<ManagedProcess> upstreams = new ArrayList<>();
    final List<ManagedProcess> redis = new ArrayList<>();
    final List<ManagedProcess> sentinels = new ArrayList<>();
    final List<ManagedProcess> gateways = new ArrayList<>();
    final List<ManagedProcess> lbs = new ArrayList<>();
    final List<ManagedProcess> keepalived = new ArrayList<>();
    List<ManagedProcess> redisExporters = List.of();
    Optional<ManagedProcess> consul = Optional.empty();
    Optional<ManagedProcess> prometheus = Optional.empty();
    Optional<ManagedProcess> alertmanager = Optional.empty();

    /**
     * Stops the started processes that no tier names first, then each tier in order (monitoring, front, nodes,
     * Redis, upstreams, Consul); then whatever a PID file still names (keepalived's children) and, in namespace
     * mode, the namespaces. Each gateway is handed to {@code beforeGatewayStop} (a drain without quiet period) first.
     */
    void stopAll(Path workDir, Optional<String> namespacePrefix, Consumer<ManagedProcess> beforeGatewayStop,
            Consumer<String> progress) {
        List<List<ManagedProcess>> tiers = new ArrayList<>();
        tiers.add(prometheus.map(List::of).orElse(List.of()));
        tiers.add(alertmanager.map(List::of).orElse(List.of()));
        tiers.add(keepalived);
        tiers.add(lbs);
        tiers.add(gateways);
        tiers.add(sentinels);
        tiers.add(redisExporters);
        tiers.add(redis);
        tiers.add(upstreams);
        tiers.add(consul.map(List::of).orElse(List.of()));
        Set<ManagedProcess> tiered = new LinkedHashSet<>();
        tiers.forEach(tiered::addAll);
        List<ManagedProcess> rest = started.stream().filter(p -> !tiered.contains(p)).toList();
        tiers.add(0, rest);
        for (List<ManagedProcess> tier : tiers) {
            List<Thread> threads = new ArrayList<>();
            boolean gatewayTier = tier == gateways;
            for (ManagedProcess p : List.copyOf(tier)) {
                threads.add(Thread.ofVirtual().start(() -> {
                    if (gatewayTier) {
                        beforeGatewayStop.accept(p);
                    }
                    p.stop(Duration.ofSeconds(12));
                }));
            }
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        // keepalived's children (VRRP, checker) and anything else a PID file still names
        ClusterDown.killFromPidFiles(workDir, progress);
        namespacePrefix.ifPresent(prefix -> {
            List<String> deleted = Namespaces.deleteAll(prefix);
            if (!deleted.isEmpty()) {
                progress.accept("deleted namespaces " + deleted);
            }
        });
    }
}
