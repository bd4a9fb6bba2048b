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
        Path work;
        try {
            // HAProxy's runtime socket path must stay under ~100 characters: the cluster lives under /tmp and
            // its logs are copied into the run folder afterwards
            work = Files.createTempDirectory(Path.of("/tmp"), "lgchaos");
        } catch (java.io.IOException e) {
            return failed(s, e, List.of());
        }
        ScenarioResult result;
        try (ChaosCluster cluster = launcher.start(options, work, say)) {
            say.accept("running: " + s.name());
            result = s.run(cluster, new ScenarioContext(quick, dir, say));
        } catch (Exception | AssertionError e) {
            say.accept("scenario failed to run: " + e);
            result = failed(s, e, List.of());
        }
        return withCopiedLogs(result, work, dir.resolve("cluster"));
    }

    static ScenarioResult failed(Scenario s, Throwable e, List<LogLink> logs) {
        return ScenarioResult.of(s.title(), s.description(), List.of(), List.of(),
                List.of(Criterion.notMeasured("scenario ran", "the scenario completed its steps", "", "completed",
                        String.valueOf(e.getMessage() == null ? e : e.getMessage()))), logs);
    }

    /**
     * Copies the cluster's work folder (logs, rendered configs) into the run folder, points the result's log links
     * at the copies, adds the logs no link named (a failed start), and removes the temporary folder.
     */
    static ScenarioResult withCopiedLogs(ScenarioResult result, Path work, Path target) {
        return withCopiedLogs(List.of(result), work, target).getFirst();
    }

    /** As {@link #withCopiedLogs(ScenarioResult, Path, Path)} for scenarios that ran one after another on one cluster. */
    static List<ScenarioResult> withCopiedLogs(List<ScenarioResult> results, Path work, Path target) {
        List<ScenarioResult> out = new ArrayList<>();
        try {
            copyTree(work, target);
            for (ScenarioResult result : results) {
                List<LogLink> links = new ArrayList<>();
                for (LogLink link : result.logs()) {
                    Path abs = link.path().toAbsolutePath();
                    links.add(abs.startsWith(work) ? new LogLink(link.label(), target.resolve(work.relativize(abs)))
                            : link);
                }
                if (result.logs().isEmpty()) {
                    links.addAll(existingLogs(target));
                }
                out.add(new ScenarioResult(result.name(), result.description(), result.summary(), result.timeline(),
                        result.faults(), result.criteria(), links, result.states()));
            }
            deleteTree(work);
        } catch (java.io.IOException e) {
            return results;
        }
        return out;
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path dest = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(dest);
                } else if (Files.isRegularFile(f)) {
                    Files.copy(f, dest, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
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
