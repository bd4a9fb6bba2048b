package dev.loomgate.loadtests.latency;

import static dev.loomgate.loadtests.BenchReport.latency;
import static dev.loomgate.loadtests.BenchReport.q;

import dev.loomgate.loadtests.CpuMeter;
import dev.loomgate.loadtests.openload.OpenLoadResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Latency under a constant rate: per target p50/p99/p99.9, the figures a proxy adds over the direct run, and the
 * goal (Loomgate's p99 added <= nginx's p99 added + 1 ms); as text, Markdown and JSON.
 *
 * @param machine     one line on the machine and tools
 * @param rate        the offered rate, req/s
 * @param rateSource  where the rate came from ("50 % of nginx's maximum 24,000 req/s" or "--rate")
 * @param rows        direct, loomgate, nginx (in any order)
 * @param loomgateMax Loomgate's own maximum (wrk) measured in the same run, req/s, when it was measured: how close
 *                    the offered rate is to it explains queueing in the figures
 */
public record LatencyReport(String machine, double rate, String rateSource, List<Row> rows,
                            Optional<Double> loomgateMax) {
    /** Loomgate may add at most this much more p99 latency than nginx, us. */
    public static final long GOAL_MARGIN_MICROS = 1000;
    static final String DIRECT = "direct", LOOMGATE = "loomgate", NGINX = "nginx";

    /** One target's figures; latencies in us; the cores each part used during the run, when measured. */
    public record Row(String target, double achievedRate, long completed, long errors, long p50, long p99,
                      long p999, long max, long sendLagP99, Optional<CpuMeter.CoresUsed> cores) {
        public Row(String target, double achievedRate, long completed, long errors, long p50, long p99, long p999,
                   long max, long sendLagP99) {
            this(target, achievedRate, completed, errors, p50, p99, p999, max, sendLagP99, Optional.empty());
        }

        static Row of(String target, OpenLoadResult r, CpuMeter.CoresUsed cores) {
            return new Row(target, r.achievedRate(), r.completed(), r.errors(), r.latency().percentile(0.5),
                    r.latency().percentile(0.99), r.latency().percentile(0.999), r.latency().maxMicros(),
                    r.sendLag().percentile(0.99), Optional.of(cores));
        }

        boolean rateHeld(double rate) {
            return achievedRate >= OpenLoadResult.HELD_SHARE * rate;
        }
    }

    /** The added latency of a proxy over the direct run. */
    public record Added(long p50, long p99, long p999) {
    }

    public LatencyReport {
        rows = List.copyOf(rows);
    }

    public LatencyReport(String machine, double rate, String rateSource, List<Row> rows) {
        this(machine, rate, rateSource, rows, Optional.empty());
    }

    /** "the offered rate is 85 % of Loomgate's own maximum 46,000 req/s", when that maximum was measured. */
    Optional<String> loadLine() {
        return loomgateMax.filter(m -> m > 0).map(m -> "offered rate = %.0f %% of Loomgate's own maximum %s req/s (wrk, same run)"
                .formatted(rate / m * 100, fmt(m)));
    }

    /** Per target, the cores the generator, the proxy and the origin used during its run. */
    private void appendCores(StringBuilder sb, String prefix) {
        for (Row r : rows) {
            r.cores().ifPresent(c -> sb.append(prefix).append("cores used during ").append(r.target()).append(": ")
                    .append(c.text()).append('\n'));
        }
    }

    Optional<Row> row(String target) {
        return rows.stream().filter(r -> r.target().equals(target)).findFirst();
    }

    /** {@code target} minus direct, when both ran. */
    public Optional<Added> added(String target) {
        return row(target).flatMap(t -> row(DIRECT).map(d -> new Added(t.p50() - d.p50(), t.p99() - d.p99(),
                t.p999() - d.p999())));
    }

    /** True when every target's run achieved the rate. */
    public boolean rateHeld() {
        return rows.stream().allMatch(r -> r.rateHeld(rate));
    }

    /**
     * True when the runs can be compared: the generator held the rate against the origin (so it could offer it)
     * and against nginx (the reference). Loomgate not keeping up is a result, not an invalid run.
     */
    public boolean valid() {
        return row(DIRECT).map(r -> r.rateHeld(rate)).orElse(true) && row(NGINX).map(r -> r.rateHeld(rate)).orElse(true);
    }

    public long errors() {
        return rows.stream().mapToLong(Row::errors).sum();
    }

    /**
     * PASS / MISS of the goal; INVALID when the rate was not held or requests failed; UNRESOLVED when the
     * generator's own p99 lag on the direct run (the noise floor of this machine) exceeds the 1 ms margin, so a
     * pass or a miss would be noise.
     */
    public String verdict() {
        Optional<Added> lg = added(LOOMGATE), ng = added(NGINX);
        if (lg.isEmpty() || ng.isEmpty()) {
            return "n/a";
        }
        if (!valid() || errors() > 0) {
            return "INVALID";
        }
        if (row(LOOMGATE).map(r -> !r.rateHeld(rate)).orElse(false)) {
            return "MISS";
        }
        if (noiseFloorMicros() > GOAL_MARGIN_MICROS) {
            return "UNRESOLVED";
        }
        return lg.get().p99() <= ng.get().p99() + GOAL_MARGIN_MICROS ? "PASS" : "MISS";
    }

    /** p99 of how late requests left the generator on the direct run, us (0 without one). */
    long noiseFloorMicros() {
        return row(DIRECT).map(Row::sendLagP99).orElse(0L);
    }

    String goalLine() {
        Optional<Added> lg = added(LOOMGATE), ng = added(NGINX);
        String figures = lg.isPresent() && ng.isPresent()
                ? "Loomgate p99 added %s vs nginx p99 added %s + 1 ms".formatted(signed(lg.get().p99()), signed(ng.get().p99()))
                : "incomplete run";
        String why = !valid() ? " (the generator did not hold the rate against direct or nginx: figures not valid)"
                : errors() > 0 ? " (" + errors() + " requests failed)"
                : !rateHeld() ? " (Loomgate could not serve the offered rate; the generator held it against direct and nginx)"
                : noiseFloorMicros() > GOAL_MARGIN_MICROS ? " (the generator's own p99 send lag on the direct run was "
                        + latency(noiseFloorMicros()) + ", above the 1 ms the goal must resolve: the machine is too busy)"
                : "";
        return "goal: " + figures + ": " + verdict() + why;
    }

    public String text() {
        StringBuilder sb = new StringBuilder();
        sb.append("Latency under normal load: constant %s req/s (%s), open model, latency from intended start\n"
                .formatted(fmt(rate), rateSource));
        sb.append(machine).append('\n');
        sb.append(String.format(Locale.ROOT, "%-9s %12s %9s %9s %9s %9s %7s %10s   %9s %9s %9s%n", "target",
                "achieved/s", "p50", "p99", "p99.9", "max", "errors", "lag p99", "+p50", "+p99", "+p99.9"));
        for (Row r : rows) {
            Optional<Added> a = r.target().equals(DIRECT) ? Optional.empty() : added(r.target());
            sb.append(String.format(Locale.ROOT, "%-9s %12s %9s %9s %9s %9s %7d %10s   %9s %9s %9s%n", r.target(),
                    fmt(r.achievedRate()) + (r.rateHeld(rate) ? "" : "!"), latency(r.p50()), latency(r.p99()),
                    latency(r.p999()), latency(r.max()), r.errors(), latency(r.sendLagP99()),
                    a.map(x -> signed(x.p50())).orElse("-"), a.map(x -> signed(x.p99())).orElse("-"),
                    a.map(x -> signed(x.p999())).orElse("-")));
        }
        sb.append("('!': below %.0f %% of the offered rate; lag: how late requests left the generator)%n"
                .formatted(OpenLoadResult.HELD_SHARE * 100));
        loadLine().ifPresent(l -> sb.append(l).append('\n'));
        appendCores(sb, "");
        sb.append(goalLine()).append('\n');
        return sb.toString();
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder("# Latency under normal load\n\n");
        sb.append("Constant %s req/s (%s), open model (latency from each request's intended start).\n\n"
                .formatted(fmt(rate), rateSource));
        sb.append(machine).append("\n\n");
        sb.append("| target | achieved req/s | p50 | p99 | p99.9 | max | errors | added p50 | added p99 | added p99.9 |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            Optional<Added> a = r.target().equals(DIRECT) ? Optional.empty() : added(r.target());
            sb.append("| %s | %s | %s | %s | %s | %s | %d | %s | %s | %s |\n".formatted(r.target(), fmt(r.achievedRate()),
                    latency(r.p50()), latency(r.p99()), latency(r.p999()), latency(r.max()), r.errors(),
                    a.map(x -> signed(x.p50())).orElse("-"), a.map(x -> signed(x.p99())).orElse("-"),
                    a.map(x -> signed(x.p999())).orElse("-")));
        }
        sb.append('\n');
        loadLine().ifPresent(l -> sb.append(l).append("\n\n"));
        appendCores(sb, "- ");
        return sb.append('\n').append(goalLine()).append('\n').toString();
    }

    public String json() {
        List<String> items = new ArrayList<>();
        for (Row r : rows) {
            Optional<Added> a = r.target().equals(DIRECT) ? Optional.empty() : added(r.target());
            items.add(String.format(Locale.ROOT, "    {\"target\": %s, \"achievedRate\": %.1f, \"completed\": %d, "
                            + "\"errors\": %d, \"p50Micros\": %d, \"p99Micros\": %d, \"p999Micros\": %d, \"maxMicros\": %d, "
                            + "\"sendLagP99Micros\": %d, \"addedP50Micros\": %s, \"addedP99Micros\": %s, \"addedP999Micros\": %s, "
                            + "\"coresUsed\": %s}",
                    q(r.target()), r.achievedRate(), r.completed(), r.errors(), r.p50(), r.p99(), r.p999(), r.max(),
                    r.sendLagP99(), a.map(x -> "" + x.p50()).orElse("null"), a.map(x -> "" + x.p99()).orElse("null"),
                    a.map(x -> "" + x.p999()).orElse("null"), r.cores().map(LatencyReport::coresJson).orElse("null")));
        }
        return String.format(Locale.ROOT, "{%n  \"benchmark\": \"latency\",%n  \"machine\": %s,%n  \"rate\": %.1f,%n"
                        + "  \"rateSource\": %s,%n  \"rateHeld\": %s,%n  \"valid\": %s,%n  \"goalMarginMicros\": %d,%n  \"verdict\": %s,%n"
                        + "  \"loomgateMaxRate\": %s,%n  \"targets\": [%n%s%n  ]%n}%n", q(machine), rate, q(rateSource),
                rateHeld(), valid(), GOAL_MARGIN_MICROS, q(verdict()),
                loomgateMax.map(m -> String.format(Locale.ROOT, "%.1f", m)).orElse("null"), String.join(",\n", items));
    }

    private static String coresJson(CpuMeter.CoresUsed c) {
        return String.format(Locale.ROOT, "{\"generator\": %.3f, \"proxy\": %s, \"origin\": %.3f, \"machineBusy\": %s, "
                        + "\"cores\": %d}", c.generator(), c.proxy().map(p -> String.format(Locale.ROOT, "%.3f", p)).orElse("null"),
                c.origin(), Double.isNaN(c.machineBusy()) ? "null" : String.format(Locale.ROOT, "%.3f", c.machineBusy()),
                c.cores());
    }

    static String signed(long micros) {
        return (micros < 0 ? "-" : "+") + latency(Math.abs(micros));
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }
}
