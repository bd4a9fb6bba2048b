package dev.loomgate.loadtests.gatling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The local cluster's HAProxy front. Uses a cluster that already answers on the front port; otherwise starts
 * one with {@code bin/chaos cluster up} and stops it on {@link #close()} (SIGTERM: the launcher's shutdown
 * hook stops every cluster process). Nodes are found from the cluster's PID files and rendered configs.
 */
final class ClusterEnvironment implements LoadEnvironment {
    static final int FRONT_PORT = 18080;
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);

    private final String frontUrl;
    private final Path work;
    private final Optional<Process> launcher;
    private final List<GatewayNode> nodes;

    private ClusterEnvironment(String frontUrl, Path work, Optional<Process> launcher, List<GatewayNode> nodes) {
        this.frontUrl = frontUrl;
        this.work = work;
        this.launcher = launcher;
        this.nodes = nodes;
    }

    static ClusterEnvironment startOrAttach(Path root, LoadSettings s, Path logFile)
            throws IOException, InterruptedException {
        String front = "http://127.0.0.1:" + (FRONT_PORT + s.portOffset());
        if (Http.get(front + "/").isPresent()) {
            LoadRun.say("a cluster answers on %s: using it (work dir %s)", front, s.clusterWork());
            return new ClusterEnvironment(front, s.clusterWork(), Optional.empty(), discoverNodes(s.clusterWork()));
        }
        LoadRun.say("no cluster on %s: starting one with bin/chaos cluster up (log %s)", front, logFile);
        Files.createDirectories(logFile.getParent());
        Process p = new ProcessBuilder(root.resolve("bin/chaos").toString(), "cluster", "up", "--work",
                s.clusterWork().toString(), "--port-offset", Integer.toString(s.portOffset()))
                .directory(root.toFile()).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        // stops the launcher if this run is interrupted or fails before the cluster is ready
        ClusterEnvironment env = new ClusterEnvironment(front, s.clusterWork(), Optional.of(p), List.of());
        Thread hook = new Thread(env::close, "load-stop-cluster");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean ready = Http.await(() -> !p.isAlive() || logContains(logFile, "cluster ready"), START_TIMEOUT);
        if (!ready || !p.isAlive()) {
            env.close();
            throw new IOException("the cluster did not start (see " + logFile + "):\n" + tail(logFile));
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        return new ClusterEnvironment(front, s.clusterWork(), Optional.of(p), discoverNodes(s.clusterWork()));
    }

    /** Gateway nodes named by {@code <work>/pids/*.pid} whose rendered {@code gateway.yaml} has an admin port. */
    static List<GatewayNode> discoverNodes(Path work) throws IOException {
        Path pids = work.resolve("pids");
        List<GatewayNode> out = new ArrayList<>();
        if (!Files.isDirectory(pids)) {
            return out;
        }
        try (Stream<Path> files = Files.list(pids)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".pid")).sorted().toList()) {
                Optional<GatewayNode.PidFile> pf = GatewayNode.PidFile.parse(Files.readString(f));
                if (pf.isEmpty()) {
                    continue;
                }
                Path config = work.resolve("render").resolve(pf.get().name()).resolve("gateway.yaml");
                if (Files.isRegularFile(config) && Files.exists(Path.of("/proc", Long.toString(pf.get().pid())))) {
                    GatewayNode.adminUrlFromConfig(Files.readString(config))
                            .ifPresent(url -> out.add(new GatewayNode(pf.get().name(), pf.get().pid(), url)));
                }
            }
        }
        return List.copyOf(out);
    }

    @Override
    public String frontUrl() {
        return frontUrl;
    }

    @Override
    public List<GatewayNode> nodes() {
        return nodes;
    }

    @Override
    public String describe() {
        return "cluster front " + frontUrl + " (" + nodes.size() + " gateway nodes, work dir " + work + "; "
                + (launcher.isPresent() ? "started by this run, stopped at its end" : "already running, left up")
                + ")";
    }

    @Override
    public void close() {
        launcher.ifPresent(p -> {
            if (!p.isAlive()) {
                return;
            }
            LoadRun.say("stopping the cluster this run started (pid %d)", p.pid());
            p.destroy();
            try {
                if (!p.waitFor(90, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    System.err.println("load: the cluster launcher did not stop in 90 s; clean up with: "
                            + "bin/chaos cluster down --work " + work);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private static boolean logContains(Path log, String text) {
        try {
            return Files.exists(log) && Files.readString(log).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ")";
        }
    }
}
