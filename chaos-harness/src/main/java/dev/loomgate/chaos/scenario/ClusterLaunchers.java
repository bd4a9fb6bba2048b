package dev.loomgate.chaos.scenario;

import java.util.Optional;

/**
 * Where the scenarios get their cluster from: the launcher of issue 6 ({@code dev.loomgate.chaos.cluster}),
 * adapted to {@link ChaosCluster}. Empty while that launcher is not part of the build: the adapter waits in
 * {@code chaos-harness/cluster-adapter/} (see its README) and this returns {@code LocalClusterAdapter::start}.
 */
public final class ClusterLaunchers {
    private ClusterLaunchers() {
    }

    public static Optional<ClusterLauncher> local() {
        return Optional.empty();
    }

    public static String missingReason() {
        return "the cluster launcher (dev.loomgate.chaos.cluster.LocalCluster, issue 6) is not in this build";
    }
}
