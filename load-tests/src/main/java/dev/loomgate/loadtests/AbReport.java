package dev.loomgate.loadtests;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * ApacheBench (HTTP/1.0) figures of the proxy benchmark: req/s of each target with and without keep-alive, and
 * Loomgate/nginx; as text, Markdown and JSON.
 *
 * @param setup  one line: requests and concurrency per run
 * @param rows   one per target and keep-alive mode
 */
public record AbReport(String setup, List<Row> rows) {

    /** One ab run's figures. */
    public record Row(String target, boolean keepAlive, AbResult result) {
    }

    public AbReport {
        rows = List.copyOf(rows);
    }

    /** Loomgate req/s over nginx req/s in one keep-alive mode. */
    public Optional<Double> loomgateVsNginx(boolean keepAlive) {
        Optional<Double> lg = rps("loomgate", keepAlive), ng = rps("nginx", keepAlive);
        return lg.flatMap(l -> ng.map(n -> l / n));
    }

    private Optional<Double> rps(String target, boolean keepAlive) {
        return rows.stream().filter(r -> r.target().equals(target) && r.keepAlive() == keepAlive).findFirst()
                .map(r -> r.result().requestsPerSec());
    }

    private List<String> targets() {
        return rows.stream().map(Row::target).distinct().toList();
    }

    private String cell(String target, boolean keepAlive) {
        return rows.stream().filter(r -> r.target().equals(target) && r.keepAlive() == keepAlive).findFirst()
                .map(r -> String.format(Locale.ROOT, "%,.0f (p99 %d ms)", r.result().requestsPerSec(), r.result().p99Millis()))
                .orElse("-");
    }

    private String ratio(boolean keepAlive) {
        return loomgateVsNginx(keepAlive).map(v -> String.format(Locale.ROOT, "%.2f", v)).orElse("n/a");
    }

    public String text() {
        StringBuilder sb = new StringBuilder("ApacheBench (HTTP/1.0): ").append(setup).append('\n');
        sb.append(String.format(Locale.ROOT, "%-10s %24s %24s%n", "target", "ab -k (keep-alive)", "ab (a connection each)"));
        for (String t : targets()) {
            sb.append(String.format(Locale.ROOT, "%-10s %24s %24s%n", t, cell(t, true), cell(t, false)));
        }
        return sb.append("loomgate/nginx req/s: keep-alive ").append(ratio(true)).append(", without ")
                .append(ratio(false)).append('\n').toString();
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder("# ApacheBench (HTTP/1.0)\n\n").append(setup).append("\n\n");
        sb.append("| target | ab -k req/s | ab req/s (no keep-alive) |\n|---|---:|---:|\n");
        for (String t : targets()) {
            sb.append("| %s | %s | %s |\n".formatted(t, cell(t, true), cell(t, false)));
        }
        return sb.append("\nLoomgate/nginx req/s: keep-alive ").append(ratio(true)).append(", without ")
                .append(ratio(false)).append('\n').toString();
    }

    public String json() {
        List<String> items = new ArrayList<>();
        for (Row r : rows) {
            AbResult a = r.result();
            items.add(String.format(Locale.ROOT, "    {\"target\": %s, \"keepAlive\": %s, \"requestsPerSec\": %.1f, "
                            + "\"complete\": %d, \"failed\": %d, \"non2xx\": %d, \"keepAliveRequests\": %d, "
                            + "\"p50Millis\": %d, \"p99Millis\": %d}", BenchReport.q(r.target()), r.keepAlive(), a.requestsPerSec(),
                    a.complete(), a.failed(), a.non2xx(), a.keepAlive(), a.p50Millis(), a.p99Millis()));
        }
        return String.format(Locale.ROOT, "{%n  \"benchmark\": \"ab\",%n  \"setup\": %s,%n  \"loomgateVsNginxKeepAlive\": %s,%n"
                        + "  \"loomgateVsNginxNoKeepAlive\": %s,%n  \"runs\": [%n%s%n  ]%n}%n", BenchReport.q(setup),
                loomgateVsNginx(true).map(v -> String.format(Locale.ROOT, "%.3f", v)).orElse("null"),
                loomgateVsNginx(false).map(v -> String.format(Locale.ROOT, "%.3f", v)).orElse("null"),
                String.join(",\n", items));
    }
}
