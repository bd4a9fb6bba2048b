package dev.loomgate.chaos;

import dev.loomgate.chaos.load.LoadConfig;
import dev.loomgate.chaos.load.LoadGenerator;
import dev.loomgate.chaos.load.LoadResult;
import dev.loomgate.chaos.load.LoadRun;
import dev.loomgate.chaos.load.RecordIo;
import dev.loomgate.chaos.report.ConsoleTable;
import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.FaultEvent;
import dev.loomgate.chaos.report.Figures;
import dev.loomgate.chaos.report.LogLink;
import dev.loomgate.chaos.report.ReportWriter;
import dev.loomgate.chaos.report.RunReport;
import dev.loomgate.chaos.report.ScenarioResult;
import dev.loomgate.chaos.report.Window;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code chaos load}: steady load against one address without faults of its own, records and an HTML report.
 * An outside driver (scripts/vm-cluster: a rolling upgrade) can end the run with {@code --stop-file} (the run
 * stops once that file exists) and put its own steps on the report's timeline with {@code --events} (lines
 * {@code startMillis<TAB>endMillis<TAB>name<TAB>target}, epoch milliseconds).
 */
final class LoadCommand {
    private static final Duration STOP_POLL = Duration.ofMillis(100);

    private LoadCommand() {
    }

    static int run(Map<String, String> o) throws Exception {
        String target = o.getOrDefault("target", "127.0.0.1:8080");
        int colon = target.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--target must be HOST:PORT, was '" + target + "'");
        }
        Duration duration = Duration.ofMillis(Math.round(Double.parseDouble(
                o.getOrDefault("duration", "10s").replace("s", "")) * 1000));
        double rate = Double.parseDouble(o.getOrDefault("rate", "100"));
        LoadConfig.Builder builder = LoadConfig.builder(target.substring(0, colon),
                        Integer.parseInt(target.substring(colon + 1)))
                .rate(rate).maxDuration(duration)
                .maxRequests(Long.parseLong(o.getOrDefault("requests", Long.toString((long) Math.ceil(rate * duration
                        .toMillis() / 1000.0)))))
                .path(o.getOrDefault("path", "/"))
                .newConnectionShare(Double.parseDouble(o.getOrDefault("new-connections", "0.2")))
                .maxInFlight(Integer.parseInt(o.getOrDefault("max-in-flight", "256")));
        if (o.containsKey("mix")) {
            String[] mix = o.get("mix").split(",");
            if (mix.length != 3) {
                throw new IllegalArgumentException("--mix must be GET,POST+key,POST weights, was '" + o.get("mix") + "'");
            }
            builder.mix(Integer.parseInt(mix[0].strip()), Integer.parseInt(mix[1].strip()), Integer.parseInt(mix[2].strip()));
        }
        LoadConfig config = builder.build();
        Path out = Path.of(o.getOrDefault("out", "target/chaos-load"));
        Files.createDirectories(out.resolve("logs"));
        Instant started = Instant.now();
        LoadResult result = runUntilStopped(config, o.containsKey("stop-file") ? Path.of(o.get("stop-file")) : null);
        Path jsonl = out.resolve("logs/records.jsonl");
        Path csv = out.resolve("logs/records.csv");
        RecordIo.writeJsonLines(jsonl, result.records());
        RecordIo.writeCsv(csv, result.records());
        List<FaultEvent> events = o.containsKey("events") ? readEvents(Path.of(o.get("events"))) : List.of();
        String title = o.getOrDefault("title", "steady load, no faults");
        ScenarioResult scenario = ScenarioResult.of(title,
                String.format(Locale.ROOT, "%.0f req/s against %s (mix GET,POST+key,POST %s)", rate, target,
                        o.getOrDefault("mix", "2,1,1")),
                result.records(), events, List.of(
                        Criterion.atMost("failed requests", "no 5xx or transport errors, any method",
                                Figures.failed(result.records(), Window.all()), "requests", 0),
                        Criterion.atMost("dropped at the in-flight cap", "the generator kept up",
                                result.count(r -> r.dropped()), "requests", 0)),
                List.of(new LogLink("records (JSON lines)", jsonl), new LogLink("records (CSV)", csv)));
        RunReport report = new RunReport(o.getOrDefault("report-title", "Loomgate load run"), started,
                events.isEmpty() ? "load only" : "load + " + events.size() + " events", RunReport.describeMachine(),
                List.of(scenario));
        Path index = ReportWriter.write(report, out);
        System.out.print(ConsoleTable.render(report));
        System.out.println("report: " + index.toAbsolutePath());
        return report.passed() ? 0 : 1;
    }

    /** Runs until the duration or request bound, or until {@code stopFile} exists (checked every 100 ms). */
    private static LoadResult runUntilStopped(LoadConfig config, Path stopFile) throws InterruptedException {
        if (stopFile == null) {
            return LoadGenerator.run(config);
        }
        try (LoadRun run = LoadGenerator.start(config)) {
            Thread watcher = Thread.ofVirtual().start(() -> {
                try {
                    while (!Files.exists(stopFile)) {
                        Thread.sleep(STOP_POLL);
                    }
                    run.stop();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            LoadResult result = run.await();
            watcher.interrupt();
            return result;
        }
    }

    static List<FaultEvent> readEvents(Path file) throws IOException {
        List<FaultEvent> events = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", 4);
            if (f.length != 4) {
                throw new IllegalArgumentException(file + ":" + n + ": want startMillis<TAB>endMillis<TAB>name<TAB>target");
            }
            events.add(new FaultEvent(f[2], f[3], Long.parseLong(f[0].strip()), Long.parseLong(f[1].strip())));
        }
        return events;
    }
}
