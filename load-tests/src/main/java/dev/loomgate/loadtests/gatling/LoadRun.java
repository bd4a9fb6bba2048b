package dev.loomgate.loadtests.gatling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code make load SIM=...} / {@code bin/load-test}: prepares the target (the cluster's HAProxy front, started
 * when none answers, or one node in front of an nginx origin), runs the Gatling simulation through the Maven
 * plugin (its assertions fail the run), then prints the stress ramp's per-plateau verdict or the soak's
 * memory table, and the HTML report's path. Everything it started is stopped on exit, also on Ctrl-C.
 */
public final class LoadRun {
    private final Path root;
    private final LoadSettings settings;
    /** The running Maven/Gatling process, stopped with its children by the shutdown hook on Ctrl-C. */
    private volatile Optional<Process> gatlingProcess = Optional.empty();

    private LoadRun(Path root, LoadSettings settings) {
        this.root = root;
        this.settings = settings;
    }

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("loomgate.root", ".")).toAbsolutePath().normalize();
        if (args.length == 0 || List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(LoadSettings.HELP);
            System.exit(args.length == 0 ? 2 : 0);
        }
        LoadSettings settings;
        try {
            settings = LoadSettings.parseArgs(List.of(args));
        } catch (IllegalArgumentException e) {
            System.err.println("load: " + e.getMessage());
            System.exit(2);
            return;
        }
        int code;
        try {
            code = new LoadRun(root, settings).run();
        } catch (IOException e) {
            System.err.println("load: FAILED: " + e.getMessage());
            code = 1;
        } catch (InterruptedException e) {
            System.err.println("load: interrupted");
            code = 130;
        }
        System.exit(code);
    }

    private int run() throws IOException, InterruptedException {
        Instant started = Instant.now();
        LoadEnvironment env = environment();
        Thread hook = new Thread(() -> {
            gatlingProcess.ifPresent(LoadRun::stopTree);
            env.close();
        }, "load-stop");
        Runtime.getRuntime().addShutdownHook(hook); // Ctrl-C during the run
        try {
            say("target: %s", env.describe());
            say("plan: %s", planLine());
            List<MemorySample> before = List.of();
            MemoryProbe probe = new MemoryProbe(Path.of(System.getProperty("java.home")));
            if (settings.sim() == Sim.SOAK_SHORT) {
                if (env.nodes().isEmpty()) {
                    say("no gateway nodes known (--url given, or no gateway PID files under %s/pids): no memory figures",
                            settings.clusterWork());
                } else {
                    prewarm(env.frontUrl() + settings.path());
                    before = sampleAll(probe, env.nodes());
                    say("memory at start (after a forced GC):%n%s", MemorySample.startTable(before).stripTrailing());
                }
            }
            int gatling = runGatling(env.frontUrl());
            boolean ok = gatling == 0;
            if (!before.isEmpty()) {
                List<MemorySample> after = sampleAll(probe, env.nodes());
                List<MemorySample.Growth> growths = new ArrayList<>();
                for (int i = 0; i < before.size(); i++) {
                    growths.add(new MemorySample.Growth(before.get(i), after.get(i)));
                }
                say("memory at start and end (heap after a forced GC: jcmd GC.run, then /metrics; RSS: /proc/PID/status):%n%s",
                        MemorySample.table(growths, settings.maxHeapGrowthMb()).stripTrailing());
                if (!growths.stream().allMatch(g -> g.heapHeld(settings.maxHeapGrowthMb()))) {
                    say("soak goal MISSED: heap after GC grew by more than %d MB on a node", settings.maxHeapGrowthMb());
                    ok = false;
                }
            }
            Optional<Path> report = latestReport(started);
            if (settings.sim() == Sim.STRESS) {
                if (report.isEmpty()) {
                    say("no Gatling report found: cannot evaluate the stress plateaus");
                    ok = false;
                } else {
                    StressVerdict v = StressVerdict.evaluate(ReportStats.read(report.get()), settings.p99Ms(),
                            settings.maxErrorPct());
                    say("stress plateaus:%n%s", v.table());
                    ok &= v.passed();
                }
            } else if (gatling != 0) {
                say("Gatling failed (exit %d): a goal was missed (see 'Assertions' above) or the run broke", gatling);
            }
            say("%s in %s: %s", settings.sim().id(), humanDuration(Duration.between(started, Instant.now())),
                    ok ? "PASSED" : "FAILED");
            report.ifPresentOrElse(r -> say("HTML report: %s", r), () -> say("no HTML report was written"));
            return ok ? 0 : 1;
        } finally {
            env.close();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }

    private LoadEnvironment environment() throws IOException, InterruptedException {
        if (settings.url().isPresent()) {
            String url = settings.url().get();
            return new LoadEnvironment() {
                @Override
                public String frontUrl() {
                    return url;
                }

                @Override
                public List<GatewayNode> nodes() {
                    return List.of();
                }

                @Override
                public String describe() {
                    return url + " (given with --url; not started or stopped here)";
                }

                @Override
                public void close() {
                }
            };
        }
        return switch (settings.target()) {
            case CLUSTER -> ClusterEnvironment.startOrAttach(root, settings,
                    root.resolve("load-tests/target/load-cluster.log"));
            case NODE -> NodeEnvironment.start(root);
        };
    }

    private String planLine() {
        StringBuilder sb = new StringBuilder();
        for (Phase p : LoadPlan.phases(settings)) {
            sb.append(sb.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%s %s/s %ds", p.name(),
                    p.rate() == Math.rint(p.rate()) ? Long.toString((long) p.rate()) : Double.toString(p.rate()),
                    p.seconds()));
        }
        return "GET " + settings.path() + ": " + sb + "; goal per measured phase p99 <= " + settings.p99Ms()
                + " ms, KO <= " + settings.maxErrorPct() + " %";
    }

    /** Gatling through its Maven plugin (bound to no phase of the build: only this calls it). */
    private int runGatling(String frontUrl) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(root.resolve("bin/mvn-jdk").toString(), "-B",
                "--no-transfer-progress", "-pl", "load-tests", "gatling:test",
                "-Dgatling.simulationClass=" + settings.sim().simulationClass()));
        cmd.addAll(settings.systemPropertyArgs(frontUrl));
        say("running Gatling: %s", String.join(" ", cmd.subList(1, cmd.size())));
        Process p = new ProcessBuilder(cmd).directory(root.toFile()).inheritIO().start();
        gatlingProcess = Optional.of(p);
        try {
            return p.waitFor();
        } finally {
            stopTree(p);
            gatlingProcess = Optional.empty();
        }
    }

    private static void stopTree(Process p) {
        if (p.isAlive()) {
            p.descendants().forEach(ProcessHandle::destroy); // the forked Gatling JVM
            p.destroy();
        }
    }

    /** The newest report of this simulation written since {@code since}. */
    private Optional<Path> latestReport(Instant since) throws IOException {
        Path dir = root.resolve("load-tests/target/gatling");
        String prefix = settings.sim().simulationClass().substring(settings.sim().simulationClass().lastIndexOf('.') + 1)
                .toLowerCase(Locale.ROOT) + "-";
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix))
                    .map(p -> p.resolve("index.html")).filter(Files::isRegularFile)
                    .filter(p -> modified(p).isAfter(since))
                    .max(Comparator.comparing(LoadRun::modified));
        }
    }

    private static Instant modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    /** Sequential requests for up to 20 s (at most 3,000) so the start sample is not taken on a cold node. */
    private void prewarm(String url) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int n = 0;
        while (n < 3000 && System.nanoTime() < deadline) {
            Http.get(url);
            n++;
        }
        say("pre-warm: %d requests to %s before the start sample", n, url);
    }

    private static List<MemorySample> sampleAll(MemoryProbe probe, List<GatewayNode> nodes)
            throws IOException, InterruptedException {
        List<MemorySample> out = new ArrayList<>();
        for (GatewayNode n : nodes) {
            out.add(probe.sample(n));
        }
        return out;
    }

    private static String humanDuration(Duration d) {
        return d.toMinutes() > 0 ? d.toMinutes() + " min " + d.toSecondsPart() + " s" : d.toSeconds() + " s";
    }

    static void say(String format, Object... args) {
        System.out.println("[load] " + String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
