package dev.loomgate.chaos.scenario;

import java.nio.file.Path;
import java.util.function.Consumer;

/** Starts a ready cluster with its files and logs under {@code workDir}. */
@FunctionalInterface
public interface ClusterLauncher {
    ChaosCluster start(ClusterOptions options, Path workDir, Consumer<String> progress) throws Exception;
}
