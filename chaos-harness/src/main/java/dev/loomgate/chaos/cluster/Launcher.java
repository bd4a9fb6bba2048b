package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.loomgate.chaos.cluster.ClusterLayout.Host;

/**
 * Starts the cluster's processes and records each one in the cluster's list before it runs, so whatever
 * started is stopped by {@link LocalCluster#close()} even when the start fails halfway.
 */
final class Launcher implements CentralLogs.ProcessStarter {
    private final Path workDir;
    private final Consumer<String> progress;
    /** LocalCluster's list of every process it started (owned there: close() stops them). */
    private final List<ManagedProcess> started;

    Launcher(Path workDir, Consumer<String> progress, List<ManagedProcess> started) {
        this.workDir = workDir;
        this.progress = progress;
        this.started = started;
    }

    /** Starts a process on {@code host} (in its namespace, if any); not yet ready. */
    ManagedProcess process(String name, Host host, List<String> command, ManagedProcess.ReadyProbe probe,
                           Runnable beforeStart) throws IOException {
        ManagedProcess p = new ManagedProcess(name, host.name(), host.netns(), command, Map.of(), workDir, probe,
                beforeStart, progress);
        start(p);
        return p;
    }

    /** Records and starts a process built elsewhere (keepalived, exporters, log shippers, saga participants). */
    @Override
    public void start(ManagedProcess p) throws IOException {
        started.add(p);
        p.start();
    }

    Path workDir() {
        return workDir;
    }

    Consumer<String> progress() {
        return progress;
    }

    /** A helper JVM's command (Consul stand-in, demo upstreams, saga participants). */
    static List<String> java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(javaLauncher().toString(),
                "-Xshare:auto", "-XX:+UseSerialGC", "-Xms32m"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Path javaLauncher() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }
}
