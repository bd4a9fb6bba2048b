package dev.loomgate.loadtests.memory;

import static dev.loomgate.loadtests.BenchReport.latency;
import static dev.loomgate.loadtests.BenchReport.q;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * RSS of each proxy with the idle connections and the steady load, errors, and the goal (Loomgate's peak RSS
 * <= 300 MB with no error); as text, Markdown and JSON.
 *
 * @param machine   one line on the machine
 * @param setup     one line on the run (connections, rate, duration, JVM options)
 * @param rows      loomgate first, then nginx if measured
 * @param notes     extra lines (the node's native memory summary)
 */
public record MemoryReport(String machine, String setup, List<Row> rows, List<String> notes) {
    public static final long GOAL_RSS_MIB = 300;
    static final String LOOMGATE = "loomgate";

    /**
     * One proxy's figures; RSS in KiB.
     *
     * @param rssIdleStart   after start and warm-up, before the idle connections
     * @param rssWithIdle    with the idle connections open, before the steady load
     * @param rssPeak        highest sample during the steady load and the probe
     * @param opened         idle connections established (each answered its first request)
     * @param openFailed     idle connections that could not be opened or did not answer
     * @param probeFailed    idle connections that did not answer 200 to the request sent after the load
     * @param loadAchieved   achieved rate of the steady load
     * @param loadErrors     failed requests of the steady load
     * @param loadP99Micros  p99 of the steady load
     */
    public record Row(String target, long rssIdleStart, long rssWithIdle, long rssPeak, int opened, long openFailed,
                      long probeFailed, double loadAchieved, long loadErrors, long loadP99Micros) {
        long errors() {
            return openFailed + probeFailed + loadErrors;
        }

        /** RSS per idle connection, bytes: (with idle - before) / opened. */
        long bytesPerConnection() {
            return opened == 0 ? 0 : (rssWithIdle - rssIdleStart) * 1024 / opened;
        }
    }

    public MemoryReport {
        rows = List.copyOf(rows);
        notes = List.copyOf(notes);
    }

    public long errors() {
        return rows.stream().mapToLong(Row::errors).sum();
    }

    Optional<Row> loomgate() {
        return rows.stream().filter(r -> r.target().equals(LOOMGATE)).findFirst();
    }

    /** PASS when Loomgate's peak RSS is within the goal and nothing failed; MISS otherwise. */
    public String verdict() {
        return loomgate().map(r -> r.rssPeak() <= GOAL_RSS_MIB * 1024 && r.errors() == 0 ? "PASS" : "MISS").orElse("n/a");
    }

    String goalLine() {
        return loomgate().map(r -> "goal: Loomgate peak RSS %s <= %d MiB and no error (%d): %s".formatted(mib(r.rssPeak()),
                GOAL_RSS_MIB, r.errors(), verdict())).orElse("goal: n/a (Loomgate not measured)");
    }

    public String text() {
        StringBuilder sb = new StringBuilder("Memory: ").append(setup).append('\n').append(machine).append('\n');
        sb.append(String.format(Locale.ROOT, "%-9s %10s %10s %10s %9s %7s %9s %9s %12s %7s %9s%n", "target", "RSS start",
                "+idle", "peak", "B/conn", "opened", "open err", "probe err", "load req/s", "errors", "load p99"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-9s %10s %10s %10s %9d %7d %9d %9d %12.0f %7d %9s%n", r.target(),
                    mib(r.rssIdleStart()), mib(r.rssWithIdle()), mib(r.rssPeak()), r.bytesPerConnection(), r.opened(),
                    r.openFailed(), r.probeFailed(), r.loadAchieved(), r.loadErrors(), latency(r.loadP99Micros())));
        }
        notes.forEach(n -> sb.append(n).append('\n'));
        return sb.append(goalLine()).append('\n').toString();
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder("# Memory with idle connections\n\n").append(setup).append("\n\n")
                .append(machine).append("\n\n");
        sb.append("| target | RSS start | RSS with idle conns | RSS peak | bytes/conn | opened | errors | load req/s | load p99 |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            sb.append("| %s | %s | %s | %s | %d | %d | %d | %.0f | %s |\n".formatted(r.target(), mib(r.rssIdleStart()),
                    mib(r.rssWithIdle()), mib(r.rssPeak()), r.bytesPerConnection(), r.opened(), r.errors(),
                    r.loadAchieved(), latency(r.loadP99Micros())));
        }
        if (!notes.isEmpty()) {
            sb.append("\n```\n").append(String.join("\n", notes)).append("\n```\n");
        }
        return sb.append('\n').append(goalLine()).append('\n').toString();
    }

    public String json() {
        List<String> items = new ArrayList<>();
        for (Row r : rows) {
            items.add(String.format(Locale.ROOT, "    {\"target\": %s, \"rssStartKib\": %d, \"rssWithIdleKib\": %d, "
                            + "\"rssPeakKib\": %d, \"bytesPerConnection\": %d, \"opened\": %d, \"openFailed\": %d, "
                            + "\"probeFailed\": %d, \"loadAchievedRate\": %.1f, \"loadErrors\": %d, \"loadP99Micros\": %d}",
                    q(r.target()), r.rssIdleStart(), r.rssWithIdle(), r.rssPeak(), r.bytesPerConnection(), r.opened(),
                    r.openFailed(), r.probeFailed(), r.loadAchieved(), r.loadErrors(), r.loadP99Micros()));
        }
        return String.format(Locale.ROOT, "{%n  \"benchmark\": \"memory\",%n  \"machine\": %s,%n  \"setup\": %s,%n"
                        + "  \"goalRssMib\": %d,%n  \"verdict\": %s,%n  \"notes\": [%s],%n  \"targets\": [%n%s%n  ]%n}%n",
                q(machine), q(setup), GOAL_RSS_MIB, q(verdict()),
                String.join(", ", notes.stream().map(dev.loomgate.loadtests.BenchReport::q).toList()),
                String.join(",\n", items));
    }

    static String mib(long kib) {
        return String.format(Locale.ROOT, "%.0f MiB", kib / 1024.0);
    }
}
