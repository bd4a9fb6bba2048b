package dev.loomgate.loadtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The benchmark's results: medians over rounds, ratios, churn and, with a baseline gateway, the comparison
 * current/baseline; as console text, Markdown and JSON.
 */
public final class BenchReport {
    /** The project's goal for Loomgate req/s relative to nginx as a proxy. */
    static final double GOAL_VS_NGINX = 0.8; // issue 13 raised it from 0.7
    /** Target name of the gateway under test. */
    static final String CURRENT = "loomgate";
    /** Target name of the baseline gateway (--baseline-jar). */
    static final String BASELINE = "loomgate-baseline";
    /** Target name of the gateway with tracing on and a dead collector (--tracing-dead-collector). */
    static final String TRACING = "loomgate-tracing";
    /** Tracing on with the collector down must cost nothing measurable: tracing/loomgate req/s at least this. */
    static final double GOAL_TRACING = 0.9;

    private final MachineInfo machine;
    private final BenchOptions options;
    private final List<Subject> targets;
    private final List<Measurement> measurements;
    private final Map<String, Long> warmupOpened;

    /**
     * What the report says about a target: its table name and description.
     *
     * @param name         e.g. "loomgate"
     * @param description  e.g. "wrk -> Loomgate node -> origin"
     */
    record Subject(String name, String description) {
    }

    /** Medians of one target over its rounds. */
    record Summary(String target, String description, double rps, double p50Micros, double p99Micros,
                   double cpuMicrosPerRequest, List<Double> roundRps) {
    }

    /**
     * @param warmupOpened  per gateway target: upstream connections it opened during its warm-up, where known
     */
    BenchReport(MachineInfo machine, BenchOptions options, List<Subject> targets, List<Measurement> measurements,
                Map<String, Long> warmupOpened) {
        this.machine = machine;
        this.options = options;
        this.targets = List.copyOf(targets);
        this.measurements = List.copyOf(measurements);
        this.warmupOpened = Map.copyOf(warmupOpened);
    }

    /**
     * Current/baseline for req/s and for CPU us/req, from the rounds in which both gateways ran;
     * empty without a baseline target.
     */
    List<BaselineComparison> vsBaseline() {
        List<Double> rps = new ArrayList<>(), baseRps = new ArrayList<>(), cpu = new ArrayList<>(), baseCpu = new ArrayList<>();
        for (Measurement current : of(CURRENT)) {
            measurements.stream().filter(m -> m.round() == current.round() && m.target().equals(BASELINE))
                    .findFirst().ifPresent(base -> {
                        rps.add(current.wrk().requestsPerSec());
                        baseRps.add(base.wrk().requestsPerSec());
                        cpu.add(current.cpuMicrosPerRequest());
                        baseCpu.add(base.cpuMicrosPerRequest());
                    });
        }
        if (rps.isEmpty()) {
            return List.of();
        }
        return List.of(BaselineComparison.of("req/s", true, rps, baseRps),
                BaselineComparison.of("CPU us/req", false, cpu, baseCpu));
    }

    private String baselineLabel() {
        return options.baseline().map(b -> b.label()).orElse(BASELINE);
    }

    List<Summary> summaries() {
        return targets.stream().map(t -> {
            List<Measurement> ms = of(t.name());
            return new Summary(t.name(), t.description(),
                    median(ms, m -> m.wrk().requestsPerSec()), median(ms, m -> m.wrk().p50Micros()),
                    median(ms, m -> m.wrk().p99Micros()), median(ms, Measurement::cpuMicrosPerRequest),
                    ms.stream().map(m -> m.wrk().requestsPerSec()).toList());
        }).toList();
    }

    double ratio(String a, String b) {
        return summary(a).rps() / summary(b).rps();
    }

    /** Loomgate/nginx req/s within each round: less sensitive to load drifting between rounds. */
    List<Double> perRoundRatios(String a, String b) {
        List<Double> out = new ArrayList<>();
        for (int round = 1; round <= options.rounds(); round++) {
            int r = round;
            Optional<Measurement> ma = measurements.stream().filter(m -> m.round() == r && m.target().equals(a)).findFirst();
            Optional<Measurement> mb = measurements.stream().filter(m -> m.round() == r && m.target().equals(b)).findFirst();
            if (ma.isPresent() && mb.isPresent()) {
                out.add(ma.get().wrk().requestsPerSec() / mb.get().wrk().requestsPerSec());
            }
        }
        return out;
    }

    private String perRound(String a, String b) {
        return perRoundRatios(a, b).stream().map(v -> String.format(Locale.ROOT, "%.2f", v))
                .collect(Collectors.joining(" / "));
    }

    private Summary summary(String name) {
        return summaries().stream().filter(s -> s.target().equals(name)).findFirst().orElseThrow();
    }

    private List<Measurement> of(String target) {
        return measurements.stream().filter(m -> m.target().equals(target)).toList();
    }

    static double median(List<Measurement> ms, ToDoubleFunction<Measurement> f) {
        double[] v = ms.stream().mapToDouble(f).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    public static String latency(double micros) {
        if (micros < 1000) {
            return String.format(Locale.ROOT, "%.0f us", micros);
        }
        if (micros < 1_000_000) {
            return String.format(Locale.ROOT, "%.2f ms", micros / 1000);
        }
        return String.format(Locale.ROOT, "%.2f s", micros / 1_000_000);
    }

    private String churnLine(String target) {
        List<Measurement> ms = of(target);
        String tw = ms.stream().map(m -> m.timeWaitAfter().map(String::valueOf).orElse("n/a"))
                .collect(Collectors.joining(", "));
        if (!target.startsWith(CURRENT)) {
            return "TIME_WAIT sockets to its origin port after each round: " + tw;
        }
        String opened = ms.stream().map(m -> m.upstreamOpened().map(o -> "+" + o).orElse("n/a"))
                .collect(Collectors.joining(", "));
        return "upstream connections opened per round (loomgate_upstream_connections_opened_total delta): " + opened
                + " (during warm-up: " + Optional.ofNullable(warmupOpened.get(target)).map(String::valueOf).orElse("n/a") + ");"
                + " TIME_WAIT sockets to its origin port after each round: " + tw;
    }

    /** The dead-collector line, when that target ran. */
    String tracingLine() {
        if (of(TRACING).isEmpty()) {
            return "";
        }
        double r = ratio(TRACING, CURRENT);
        return String.format(Locale.ROOT, "tracing on, collector down / tracing off (%s / %s) = %.2f   (per round: %s): "
                        + "%s the goal (>= %.1f)%n", TRACING, CURRENT, r, perRound(TRACING, CURRENT),
                r >= GOAL_TRACING ? "meets" : "below", GOAL_TRACING);
    }

    private String verdict() {
        double r = ratio("loomgate", "nginx");
        return String.format(Locale.ROOT, "Loomgate/nginx = %.2f: %s the goal (>= %.1f)", r,
                r >= GOAL_VS_NGINX ? "meets" : "below", GOAL_VS_NGINX);
    }

    String text() {
        StringBuilder sb = new StringBuilder();
        sb.append("Proxy overhead, ").append(machine.date()).append('\n');
        sb.append(String.format(Locale.ROOT, "machine: %d cores, %s, %s RAM, %s%n", machine.cores(),
                machine.cpuModel(), machine.memory(), machine.kernel()));
        sb.append("JDK: ").append(machine.jdk()).append("; ").append(machine.wrkVersion()).append("; ")
                .append(machine.nginxVersion()).append('\n');
        sb.append(String.format(Locale.ROOT, "load: wrk -t%d -c%d -d%ds --latency, %d round(s), warm-up %d s (gateway), body %d B%n",
                options.threads(), options.connections(), options.durationSec(), options.rounds(),
                options.warmupSec(), options.bodyBytes()));
        sb.append("gateway JVM: ").append(String.join(" ", options.gatewayJvmOpts())).append('\n');
        options.baseline().ifPresent(b -> sb.append("baseline: ").append(b.label()).append(", jar ")
                .append(b.jar()).append(" (target ").append(BASELINE).append(")\n"));
        sb.append('\n');
        String row = "%-" + nameWidth() + "s %12s %10s %10s %12s   %s%n";
        sb.append(String.format(Locale.ROOT, row, "target", "req/s (med)", "p50", "p99", "cpu us/req", "req/s per round"));
        for (Summary s : summaries()) {
            sb.append(String.format(Locale.ROOT, row, s.target(), String.format(Locale.ROOT, "%,.0f", s.rps()),
                    latency(s.p50Micros()), latency(s.p99Micros()),
                    String.format(Locale.ROOT, "%.1f", s.cpuMicrosPerRequest()), rounds(s)));
        }
        sb.append(String.format(Locale.ROOT, "%nLoomgate/nginx  = %.2f   (per round: %s)%nLoomgate/direct = %.2f   (per round: %s)"
                        + "%nnginx/direct    = %.2f   (per round: %s)%n",
                ratio("loomgate", "nginx"), perRound("loomgate", "nginx"), ratio("loomgate", "direct"),
                perRound("loomgate", "direct"), ratio("nginx", "direct"), perRound("nginx", "direct")));
        sb.append(verdict()).append('\n');
        sb.append(tracingLine());
        List<BaselineComparison> vs = vsBaseline();
        if (!vs.isEmpty()) {
            sb.append("\ncurrent/baseline (").append(CURRENT).append(" / ").append(baselineLabel()).append("):\n");
            for (BaselineComparison c : vs) {
                sb.append(String.format(Locale.ROOT, "  %-10s = %s%n", c.metric(), c.line()));
            }
            sb.append('\n');
        }
        for (Subject t : targets) {
            if (!t.name().equals("direct")) {
                sb.append(String.format(Locale.ROOT, "churn, %-" + nameWidth() + "s %s%n", t.name() + ":",
                        churnLine(t.name())));
            }
        }
        return sb.toString();
    }

    private int nameWidth() {
        return targets.stream().mapToInt(t -> t.name().length() + 1).max().orElse(9);
    }

    private static String rounds(Summary s) {
        return s.roundRps().stream().map(v -> String.format(Locale.ROOT, "%,.0f", v)).collect(Collectors.joining(" / "));
    }

    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("### Proxy overhead (`make bench`), ").append(machine.date()).append("\n\n");
        sb.append(String.format(Locale.ROOT, "Machine: %d cores, %s, %s RAM, %s; %s; %s; %s.  %n",
                machine.cores(), machine.cpuModel(), machine.memory(), machine.kernel(), machine.jdk(),
                machine.wrkVersion(), machine.nginxVersion()));
        sb.append(String.format(Locale.ROOT, "Load: `wrk -t%d -c%d -d%ds --latency`, %d interleaved round(s) after "
                        + "%d s of gateway warm-up; origin: nginx (1 worker) returning %d bytes; gateway JVM `%s`.%n%n",
                options.threads(), options.connections(), options.durationSec(), options.rounds(),
                options.warmupSec(), options.bodyBytes(), String.join(" ", options.gatewayJvmOpts())));
        sb.append("| target | req/s (median) | p50 | p99 | CPU µs/req | req/s per round |\n");
        sb.append("|---|---:|---:|---:|---:|---|\n");
        for (Summary s : summaries()) {
            sb.append(String.format(Locale.ROOT, "| %s — %s | %,.0f | %s | %s | %.1f | %s |%n", s.target(),
                    s.description(), s.rps(), latency(s.p50Micros()), latency(s.p99Micros()),
                    s.cpuMicrosPerRequest(), rounds(s)));
        }
        sb.append(String.format(Locale.ROOT, "%n**Loomgate/nginx = %.2f** (per round %s), Loomgate/direct = %.2f, "
                        + "nginx/direct = %.2f (goal: Loomgate/nginx ≥ %.1f).%n%n", ratio("loomgate", "nginx"),
                perRound("loomgate", "nginx"), ratio("loomgate", "direct"), ratio("nginx", "direct"), GOAL_VS_NGINX));
        if (!tracingLine().isEmpty()) {
            sb.append("**Tracing**: ").append(tracingLine()).append('\n');
        }
        List<BaselineComparison> vs = vsBaseline();
        if (!vs.isEmpty()) {
            sb.append("**Current vs baseline** (").append(CURRENT).append(" / ").append(BASELINE).append(", baseline `")
                    .append(baselineLabel()).append("`, measured in the same interleaved rounds; ratio = median of "
                            + "the per-round ratios):\n\n");
            sb.append("| metric | current/baseline | per round | min..max | rounds' own spread | verdict |\n");
            sb.append("|---|---:|---|---|---:|---|\n");
            for (BaselineComparison c : vs) {
                sb.append(String.format(Locale.ROOT, "| %s | %.3f | %s | %.3f..%.3f | %.1f%% | %s |%n", c.metric(),
                        c.ratio(), c.perRound(), c.minRatio(), c.maxRatio(), c.spread() * 100, c.verdictText()));
            }
            sb.append('\n');
        }
        sb.append("Connection churn — Loomgate: ").append(churnLine("loomgate")).append(".  \n");
        if (!vs.isEmpty()) {
            sb.append("Loomgate baseline: ").append(churnLine(BASELINE)).append(".  \n");
        }
        sb.append("nginx proxy: ").append(churnLine("nginx")).append(".\n\n");
        sb.append("All processes share the same cores (wrk, origin, proxy); CPU µs/req is the CPU time of the "
                + "serving process tree (the proxy, or the origin for *direct*) divided by the requests completed.\n");
        return sb.toString();
    }

    String json() {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"date\": ").append(q(machine.date())).append(",\n");
        sb.append("  \"machine\": {\"cores\": ").append(machine.cores()).append(", \"cpu_model\": ")
                .append(q(machine.cpuModel())).append(", \"memory\": ").append(q(machine.memory()))
                .append(", \"kernel\": ").append(q(machine.kernel())).append(", \"jdk\": ").append(q(machine.jdk()))
                .append(", \"wrk\": ").append(q(machine.wrkVersion())).append(", \"nginx\": ")
                .append(q(machine.nginxVersion())).append("},\n");
        sb.append(String.format(Locale.ROOT, "  \"settings\": {\"threads\": %d, \"connections\": %d, \"duration_s\": %d, "
                        + "\"rounds\": %d, \"warmup_s\": %d, \"nginx_warmup_s\": %d, \"body_bytes\": %d, \"gateway_jvm_opts\": %s},%n",
                options.threads(), options.connections(), options.durationSec(), options.rounds(), options.warmupSec(),
                options.nginxWarmupSec(), options.bodyBytes(),
                options.gatewayJvmOpts().stream().map(BenchReport::q).collect(Collectors.joining(", ", "[", "]"))));
        options.baseline().ifPresent(b -> sb.append("  \"baseline\": {\"target\": ").append(q(BASELINE))
                .append(", \"label\": ").append(q(b.label())).append(", \"jar\": ").append(q(b.jar().toString()))
                .append("},\n"));
        List<BaselineComparison> vs = vsBaseline();
        if (!vs.isEmpty()) {
            sb.append("  \"current_vs_baseline\": {\"rps\": ").append(vs.get(0).json())
                    .append(",\n    \"cpu_us_per_request\": ").append(vs.get(1).json()).append("},\n");
        }
        sb.append("  \"summary\": [\n");
        List<String> items = new ArrayList<>();
        for (Summary s : summaries()) {
            items.add(String.format(Locale.ROOT, "    {\"target\": %s, \"description\": %s, \"rps_median\": %.1f, "
                            + "\"p50_us\": %.1f, \"p99_us\": %.1f, \"cpu_us_per_request\": %.2f, \"rps_per_round\": %s}",
                    q(s.target()), q(s.description()), s.rps(), s.p50Micros(), s.p99Micros(), s.cpuMicrosPerRequest(),
                    s.roundRps().stream().map(v -> String.format(Locale.ROOT, "%.1f", v))
                            .collect(Collectors.joining(", ", "[", "]"))));
        }
        sb.append(String.join(",\n", items)).append("\n  ],\n");
        sb.append(String.format(Locale.ROOT, "  \"ratios\": {\"loomgate_vs_nginx\": %.3f, \"loomgate_vs_direct\": %.3f, "
                        + "\"nginx_vs_direct\": %.3f, \"goal_loomgate_vs_nginx\": %.1f, \"loomgate_vs_nginx_per_round\": %s},%n",
                ratio("loomgate", "nginx"), ratio("loomgate", "direct"), ratio("nginx", "direct"), GOAL_VS_NGINX,
                perRoundRatios("loomgate", "nginx").stream().map(v -> String.format(Locale.ROOT, "%.3f", v))
                        .collect(Collectors.joining(", ", "[", "]"))));
        sb.append("  \"gateway_upstream_connections_opened_during_warmup\": ")
                .append(Optional.ofNullable(warmupOpened.get(CURRENT)).map(String::valueOf).orElse("null")).append(",\n");
        if (!vs.isEmpty()) {
            sb.append("  \"baseline_upstream_connections_opened_during_warmup\": ")
                    .append(Optional.ofNullable(warmupOpened.get(BASELINE)).map(String::valueOf).orElse("null"))
                    .append(",\n");
        }
        sb.append("  \"runs\": [\n");
        items.clear();
        for (Measurement m : measurements) {
            WrkResult w = m.wrk();
            items.add(String.format(Locale.ROOT, "    {\"round\": %d, \"target\": %s, \"requests\": %d, \"rps\": %.1f, "
                            + "\"p50_us\": %.1f, \"p99_us\": %.1f, \"cpu_us_per_request\": %.2f, "
                            + "\"upstream_connections_opened\": %s, \"time_wait_to_origin_before\": %s, "
                            + "\"time_wait_to_origin_after\": %s, \"load_average_1m\": %s}",
                    m.round(), q(m.target()), w.requests(), w.requestsPerSec(), w.p50Micros(), w.p99Micros(),
                    m.cpuMicrosPerRequest(), m.upstreamOpened().map(String::valueOf).orElse("null"),
                    m.timeWaitBefore().map(String::valueOf).orElse("null"),
                    m.timeWaitAfter().map(String::valueOf).orElse("null"), q(m.loadAverage())));
        }
        sb.append(String.join(",\n", items)).append("\n  ]\n}\n");
        return sb.toString();
    }

    /** Writes bench-TIMESTAMP.{json,md} and latest.{json,md}; returns the paths written. */
    List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        String json = json();
        String md = markdown();
        List<Path> out = List.of(dir.resolve("bench-" + stamp + ".json"), dir.resolve("bench-" + stamp + ".md"),
                dir.resolve("latest.json"), dir.resolve("latest.md"));
        Files.writeString(out.get(0), json);
        Files.writeString(out.get(1), md);
        Files.writeString(out.get(2), json);
        Files.writeString(out.get(3), md);
        return out;
    }

    public static String q(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
