package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.cluster.ClusterSpec;
import dev.loomgate.chaos.cluster.CommandResult;
import dev.loomgate.chaos.report.ConsoleTable;
import dev.loomgate.chaos.report.RunReport;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.Set;

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
        }).run(java.util.List.of(scenario));
        assertTrue(report.passed(), () -> "scenario " + scenario.title() + " failed a criterion (report: "
                + dir.toAbsolutePath().resolve("index.html") + ")\n" + ConsoleTable.render(report));
    }

    /** As LocalClusterTest: without the jars or the Debian tools the cluster cannot start (make deps, make build). */
    private static void assumeClusterCanStart(ClusterMode mode) throws Exception {
        var spec = ClusterSpec.loopback(ClusterSpec.findRepoRoot());
        Assumptions.assumeTrue(java.nio.file.Files.isRegularFile(spec.gatewayJar())
                && java.nio.file.Files.isRegularFile(spec.consulJar()), "gateway and Consul stand-in jars are built");
        java.util.List<String> tools = new java.util.ArrayList<>(java.util.List.of("haproxy", "redis-server",
                "redis-sentinel", "prometheus", "prometheus-alertmanager", "ansible-playbook", "curl"));
        if (mode == ClusterMode.NAMESPACE) {
            tools.add("keepalived");
        }
        for (String tool : tools) {
            Assumptions.assumeTrue(CommandResult.run(java.util.List.of("sh", "-c",
                    "command -v " + tool + " || test -x /usr/sbin/" + tool), java.time.Duration.ofSeconds(5))
                    .exitCode() == 0, tool + " is installed (make deps)");
        }
    }
}
