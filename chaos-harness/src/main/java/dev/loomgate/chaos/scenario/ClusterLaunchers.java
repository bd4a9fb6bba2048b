package dev.loomgate.chaos.scenario;

import java.util.Optional;

/** Where the scenarios get their cluster from: the launcher of issue 6 adapted to {@link ChaosCluster}. */
public final class ClusterLaunchers {
    private ClusterLaunchers() {
    }

    public static Optional<ClusterLauncher> local() {
        return Optional.of(LocalClusterAdapter::start);
    }

    public static String missingReason() {
        return "the cluster launcher (dev.loomgate.chaos.cluster.LocalCluster, issue 6) is not in this build";
    }
}
