package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.report.ConsoleTable;
import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.LogLink;
import dev.loomgate.chaos.report.ReportWriter;
import dev.loomgate.chaos.report.RunReport;
import dev.loomgate.chaos.report.ScenarioResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs scenarios, each on a fresh cluster (a fault left behind cannot spoil the next one), and writes the run
 * folder: {@code summary.json}, {@code index.html}, and per scenario its records and the cluster's logs.
 */
public final class ScenarioRunner {
    public static final String NEEDS_NAMESPACES = "needs namespace mode (root)";

    private final ClusterLauncher launcher;
    private final ClusterOptions options;
    private final ClusterMode mode;
    private final boolean quick;
    private final Path runDir;
    private final Consumer<String> out;

    public ScenarioRunner(ClusterLauncher launcher, ClusterOptions options, boolean quick, Path runDir,
                          Consumer<String> out) {
        this.launcher = launcher;
        this.options = options;
        this.mode = options.mode();
        this.quick = quick;
        this.runDir = runDir;
        this.out = out;
    }

    public RunReport run(List<Scenario> scenarios) throws java.io.IOException {
        Instant started = Instant.now();
        Files.createDirectories(runDir);
        List<ScenarioResult> results = new ArrayList<>();
        for (Scenario s : scenarios) {
            results.add(runOne(s));
            out.accept(ConsoleTable.render(results.getLast()));
        }
        RunReport report = new RunReport("Loomgate chaos run" + (quick ? " (quick)" : ""), started, mode.label(),
                RunReport.describeMachine(), results);
        Path index = ReportWriter.write(report, runDir);
        out.accept(ConsoleTable.render(report));
        out.accept("report: " + index.toAbsolutePath());
        return report;
    }

    ScenarioResult runOne(Scenario s) {
        if (s.needsNamespaces() && mode != ClusterMode.NAMESPACE) {
            out.accept("scenario " + s.title() + ": skipped, " + NEEDS_NAMESPACES);
            return skipped(s, NEEDS_NAMESPACES);
        }
        Path dir = runDir.resolve(String.format("s%d", s.number()));
        Consumer<String> say = line -> out.accept("[" + s.number() + "] " + line);
        say.accept("starting the " + mode.label() + " cluster");
        try (ChaosCluster cluster = launcher.start(options, dir.resolve("cluster"), say)) {
            say.accept("running: " + s.name());
            return s.run(cluster, new ScenarioContext(quick, dir, say));
        } catch (Exception | AssertionError e) {
            say.accept("scenario failed to run: " + e);
            return ScenarioResult.of(s.title(), s.description(), List.of(), List.of(),
                    List.of(Criterion.notMeasured("scenario ran", "the scenario completed its steps", "", "completed",
                            String.valueOf(e.getMessage() == null ? e : e.getMessage()))),
                    existingLogs(dir));
        }
    }

    static ScenarioResult skipped(Scenario s, String why) {
        return ScenarioResult.of(s.title(), s.description() + " Skipped: " + why + ".", List.of(), List.of(),
                List.of(ScenarioCriteria.skipped(why)), List.of());
    }

    private static List<LogLink> existingLogs(Path dir) {
        try (var files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".log")).sorted()
                    .map(f -> new LogLink(dir.relativize(f).toString(), f)).toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }
}
