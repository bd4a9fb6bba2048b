package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.cluster.ClusterSpec;
import dev.loomgate.chaos.cluster.CommandResult;
import dev.loomgate.chaos.report.ConsoleTable;
import dev.loomgate.chaos.report.ReportWriter;
import dev.loomgate.chaos.report.RunReport;
import dev.loomgate.chaos.report.ScenarioResult;
import dev.loomgate.testsupport.Await;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** One scenario as a JUnit test: a real cluster, a run folder under target/chaos-junit, fails on a failed criterion. */
final class ChaosRuns {
    private ChaosRuns() {
    }

    static void runAndAssert(int number, ClusterMode mode, boolean quick) throws Exception {
        var launcher = ClusterLaunchers.local();
        Assumptions.assumeTrue(launcher.isPresent(), ClusterLaunchers::missingReason);
        assumeClusterCanStart(mode);
        Scenario scenario = Scenarios.only(Set.of(number)).getFirst();
        Assumptions.assumeTrue(!scenario.needsNamespaces() || mode == ClusterMode.NAMESPACE,
                "scenario " + number + " " + ScenarioRunner.NEEDS_NAMESPACES + ": not run (and not passed)");
        Path dir = Path.of("target/chaos-junit", LocalDateTime.now()
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss")) + "-s" + number
                + (quick ? "-quick" : ""));
        StringBuilder out = new StringBuilder();
        // off the default ports (a developer's make cluster) and off the cluster tests' offsets (2100 + 300k)
        ClusterOptions options = new ClusterOptions(mode, 3050, Optional.of("lgc-"));
        RunReport report = new ScenarioRunner(launcher.get(), options, quick, dir, line -> {
            System.out.println(line);
            out.append(line).append('\n');
        }).run(List.of(scenario));
        assertTrue(report.passed(), () -> "scenario " + scenario.title() + " failed a criterion (report: "
                + dir.toAbsolutePath().resolve("index.html") + ")\n" + ConsoleTable.render(report));
    }

    /**
     * One started cluster on which scenarios run one after another (ChaosCiTest): a cluster start (render, 20
     * processes) and its stop cost about 20 s, more than most quick scenarios. Each scenario starts once the cluster is
     * whole again ({@link ChaosCluster#notReadyReason()}), so a node a scenario restarted is back and UP in HAProxy.
     * What a scenario cannot undo stays: after a Redis master kill the other server is master, so that one runs last.
     * {@link #close()} stops the cluster, copies its logs and writes one report for all the scenarios run.
     */
    static final class OneCluster implements AutoCloseable {
        /** Bound of the wait for a whole cluster between scenarios (a restarted node's start, HAProxy's rise checks). */
        private static final Duration WHOLE_AGAIN = Duration.ofSeconds(60);

        private final ClusterMode mode;
        private final Path runDir;
        private final Path work;
        private final ChaosCluster cluster;
        private final Instant started = Instant.now();
        private final List<ScenarioResult> results = new ArrayList<>();

        private OneCluster(ClusterMode mode, Path runDir, Path work, ChaosCluster cluster) {
            this.mode = mode;
            this.runDir = runDir;
            this.work = work;
            this.cluster = cluster;
        }

        static OneCluster start(ClusterMode mode) throws Exception {
            var launcher = ClusterLaunchers.local();
            Assumptions.assumeTrue(launcher.isPresent(), ClusterLaunchers::missingReason);
            assumeClusterCanStart(mode);
            Path runDir = Path.of("target/chaos-junit", LocalDateTime.now()
                    .format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss")) + "-ci-quick");
            Files.createDirectories(runDir);
            // as ScenarioRunner: HAProxy's runtime socket path must stay short, so the cluster lives under /tmp
            Path work = Files.createTempDirectory(Path.of("/tmp"), "lgchaos");
            ClusterOptions options = new ClusterOptions(mode, 3050, Optional.of("lgc-"));
            try {
                return new OneCluster(mode, runDir, work, launcher.get().start(options, work,
                        line -> System.out.println("[cluster] " + line)));
            } catch (Exception | AssertionError e) {
                // the launcher stopped what it started; keep its logs for the failure
                ScenarioRunner.withCopiedLogs(List.of(), work, runDir.resolve("cluster"));
                throw e;
            }
        }

        /** Runs scenario {@code number} (quick) once the cluster is whole; fails on a failed criterion. */
        void runAndAssert(int number) {
            Scenario scenario = Scenarios.only(Set.of(number)).getFirst();
            Assumptions.assumeTrue(!scenario.needsNamespaces() || mode == ClusterMode.NAMESPACE,
                    "scenario " + number + " " + ScenarioRunner.NEEDS_NAMESPACES + ": not run (and not passed)");
            Consumer<String> say = line -> System.out.println("[" + number + "] " + line);
            ScenarioResult result;
            try {
                // the failure names what is missing (the last reason)
                Await.value("the cluster whole again", WHOLE_AGAIN, cluster::notReadyReason, String::isEmpty);
                say.accept("running: " + scenario.name());
                result = scenario.run(cluster, new ScenarioContext(true, runDir.resolve(String.format("s%d", number)),
                        say));
            } catch (Exception | AssertionError e) {
                say.accept("scenario failed to run: " + e);
                result = ScenarioRunner.failed(scenario, e, List.of());
            }
            results.add(result);
            System.out.println(ConsoleTable.render(result));
            ScenarioResult r = result;
            assertTrue(r.passed(), () -> "scenario " + scenario.title() + " failed a criterion (report after the "
                    + "class: " + runDir.toAbsolutePath().resolve("index.html") + ")\n" + ConsoleTable.render(r));
        }

        @Override
        public void close() throws java.io.IOException {
            cluster.close();
            RunReport report = new RunReport("Loomgate chaos run (quick, one cluster)", started, mode.label(),
                    RunReport.describeMachine(), ScenarioRunner.withCopiedLogs(results, work, runDir.resolve("cluster")));
            Path index = ReportWriter.write(report, runDir);
            System.out.println(ConsoleTable.render(report));
            System.out.println("report: " + index.toAbsolutePath());
        }
    }

    /** As LocalClusterTest: without the jars or the Debian tools the cluster cannot start (make deps, make build). */
    private static void assumeClusterCanStart(ClusterMode mode) throws Exception {
        var spec = ClusterSpec.loopback(ClusterSpec.findRepoRoot());
        Assumptions.assumeTrue(Files.isRegularFile(spec.gatewayJar())
                && Files.isRegularFile(spec.consulJar()), "gateway and Consul stand-in jars are built");
        List<String> tools = new ArrayList<>(List.of("haproxy", "redis-server",
                "redis-sentinel", "prometheus", "prometheus-alertmanager", "ansible-playbook", "curl"));
        if (mode == ClusterMode.NAMESPACE) {
            tools.add("keepalived");
        }
        for (String tool : tools) {
            Assumptions.assumeTrue(CommandResult.run(List.of("sh", "-c",
                    "command -v " + tool + " || test -x /usr/sbin/" + tool), Duration.ofSeconds(5))
                    .exitCode() == 0, tool + " is installed (make deps)");
        }
    }
}
