package dev.loomgate.chaos;

import dev.loomgate.chaos.load.LoadConfig;
import dev.loomgate.chaos.load.LoadGenerator;
import dev.loomgate.chaos.load.LoadResult;
import dev.loomgate.chaos.load.RecordIo;
import dev.loomgate.chaos.report.ConsoleTable;
import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.Figures;
import dev.loomgate.chaos.report.LogLink;
import dev.loomgate.chaos.report.ReportWriter;
import dev.loomgate.chaos.report.RunReport;
import dev.loomgate.chaos.report.ScenarioResult;
import dev.loomgate.chaos.report.Window;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Command line: {@code demo [dir]} writes the synthetic report; {@code load --target HOST:PORT [options]} runs the
 * load generator without faults and writes records and a report (exit 1 when anything failed).
 */
public final class ChaosMain {
    private ChaosMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            usage();
            return;
        }
        switch (args[0]) {
            case "scenarios" -> System.exit(dev.loomgate.chaos.scenario.ScenariosCli.run(
                    java.util.Arrays.copyOfRange(args, 1, args.length)));
            case "demo" -> ReportDemo.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            case "load" -> System.exit(load(options(args)));
            case "cluster" -> System.exit(dev.loomgate.chaos.cluster.ClusterCommand.run(
                    java.util.Arrays.copyOfRange(args, 1, args.length)));
            case "aot-startup" -> System.exit(dev.loomgate.chaos.cluster.AotStartupBench.run(
                    java.util.Arrays.copyOfRange(args, 1, args.length)));
            default -> {
                System.err.println("unknown command '" + args[0] + "'");
                usage();
                System.exit(2);
            }
        }
    }

    private static void usage() {
        System.out.println("""
                usage: chaos demo [DIR]
                       chaos cluster up [--netns] [--gateways N] | chaos cluster down   (chaos cluster --help)
                       chaos load --target HOST:PORT [--rate 100] [--duration 10s] [--requests N]
                                  [--path /] [--new-connections 0.2] [--max-in-flight 256] [--out DIR]
                       chaos scenarios [--quick] [--only 1,2,4] [--loopback] [--port-offset N] [--out DIR]
                       chaos aot-startup [--rounds 5]   (a node's first request and first second, with/without AOT cache)""");
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option VALUE at '" + args[i] + "'");
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        return opts;
    }

    private static int load(Map<String, String> o) throws Exception {
        String target = o.getOrDefault("target", "127.0.0.1:8080");
        int colon = target.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--target must be HOST:PORT, was '" + target + "'");
        }
        Duration duration = Duration.ofMillis(Math.round(Double.parseDouble(
                o.getOrDefault("duration", "10s").replace("s", "")) * 1000));
        double rate = Double.parseDouble(o.getOrDefault("rate", "100"));
        LoadConfig config = LoadConfig.builder(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)))
                .rate(rate).maxDuration(duration)
                .maxRequests(Long.parseLong(o.getOrDefault("requests", Long.toString((long) Math.ceil(rate * duration
                        .toMillis() / 1000.0)))))
                .path(o.getOrDefault("path", "/"))
                .newConnectionShare(Double.parseDouble(o.getOrDefault("new-connections", "0.2")))
                .maxInFlight(Integer.parseInt(o.getOrDefault("max-in-flight", "256")))
                .build();
        Path out = Path.of(o.getOrDefault("out", "target/chaos-load"));
        Files.createDirectories(out.resolve("logs"));
        Instant started = Instant.now();
        LoadResult result = LoadGenerator.run(config);
        Path jsonl = out.resolve("logs/records.jsonl");
        Path csv = out.resolve("logs/records.csv");
        RecordIo.writeJsonLines(jsonl, result.records());
        RecordIo.writeCsv(csv, result.records());
        ScenarioResult scenario = ScenarioResult.of("steady load, no faults",
                String.format(java.util.Locale.ROOT, "%.0f req/s for %d s against %s", rate, duration.toSeconds(), target),
                result.records(), List.of(), List.of(
                        Criterion.atMost("failed requests", "no 5xx or transport errors",
                                Figures.failed(result.records(), Window.all()), "requests", 0),
                        Criterion.atMost("dropped at the in-flight cap", "the generator kept up",
                                result.count(r -> r.dropped()), "requests", 0)),
                List.of(new LogLink("records (JSON lines)", jsonl), new LogLink("records (CSV)", csv)));
        RunReport report = new RunReport("Loomgate load run", started, "load only", RunReport.describeMachine(),
                List.of(scenario));
        Path index = ReportWriter.write(report, out);
        System.out.print(ConsoleTable.render(report));
        System.out.println("report: " + index.toAbsolutePath());
        return report.passed() ? 0 : 1;
    }
}
