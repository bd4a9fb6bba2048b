package dev.loomgate.loadtests.scale;

import static dev.loomgate.loadtests.BenchReport.latency;
import static dev.loomgate.loadtests.BenchReport.q;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The scale curves: per dimension and value, throughput and p99 of Loomgate and nginx, Loomgate/nginx, and where
 * Loomgate's cost grows (the curve along which it loses most throughput relative to nginx); as text, Markdown
 * (the README table) and JSON.
 *
 * @param machine  one line on the machine
 * @param setup    one line on the run
 * @param points   every measured point
 */
public record ScaleReport(String machine, String setup, List<Point> points) {
    static final String LOOMGATE = "loomgate", NGINX = "nginx";

    /** One wrk run at one point of one curve. */
    public record Point(String dimension, int value, String target, double rps, double p99Micros, long errors) {
    }

    /**
     * How one curve ends compared with its start.
     *
     * @param keptLoomgate  Loomgate req/s at the last value / at the first
     * @param keptNginx     nginx's, when measured
     */
    public record Growth(String dimension, int first, int last, double keptLoomgate, Optional<Double> keptNginx) {
        /** Loomgate's kept share relative to nginx's: below 1 means Loomgate's cost grows faster. */
        double relative() {
            return keptNginx.map(n -> keptLoomgate / n).orElse(keptLoomgate);
        }
    }

    public ScaleReport {
        points = List.copyOf(points);
    }

    List<String> dimensions() {
        return points.stream().map(Point::dimension).distinct().toList();
    }

    List<Integer> values(String dimension) {
        return points.stream().filter(p -> p.dimension().equals(dimension)).map(Point::value).distinct().sorted().toList();
    }

    Optional<Point> point(String dimension, int value, String target) {
        return points.stream().filter(p -> p.dimension().equals(dimension) && p.value() == value
                && p.target().equals(target)).findFirst();
    }

    Optional<Growth> growth(String dimension) {
        List<Integer> v = values(dimension);
        if (v.size() < 2) {
            return Optional.empty();
        }
        int first = v.getFirst(), last = v.getLast();
        Optional<Double> lg = kept(dimension, first, last, LOOMGATE);
        return lg.map(l -> new Growth(dimension, first, last, l, kept(dimension, first, last, NGINX)));
    }

    private Optional<Double> kept(String dimension, int first, int last, String target) {
        return point(dimension, first, target).flatMap(f -> point(dimension, last, target)
                .filter(l -> f.rps() > 0).map(l -> l.rps() / f.rps()));
    }

    /** The sentence saying along which curve Loomgate's cost grows most, relative to nginx. */
    String whereCostGrows() {
        List<Growth> all = dimensions().stream().map(this::growth).flatMap(Optional::stream).toList();
        if (all.isEmpty()) {
            return "cost growth: n/a (each curve needs two values)";
        }
        StringBuilder sb = new StringBuilder("where the cost grows (req/s at the last value / at the first):\n");
        for (Growth g : all) {
            sb.append(String.format(Locale.ROOT, "  %-12s %s -> %s: Loomgate keeps %.2f%s%n", g.dimension(),
                    label(g.dimension(), g.first()), label(g.dimension(), g.last()), g.keptLoomgate(),
                    g.keptNginx().map(n -> String.format(Locale.ROOT, ", nginx %.2f (Loomgate relative to nginx %.2f)",
                            n, g.relative())).orElse("")));
        }
        Growth worst = all.stream().min(Comparator.comparingDouble(Growth::relative)).orElseThrow();
        return sb.append(String.format(Locale.ROOT, "  Loomgate's cost grows most with %s (%s -> %s)%n",
                worst.dimension(), label(worst.dimension(), worst.first()), label(worst.dimension(), worst.last()))).toString();
    }

    static String label(String dimension, int value) {
        if (dimension.equals("size")) {
            return value >= 1024 * 1024 && value % (1024 * 1024) == 0 ? value / (1024 * 1024) + " MiB"
                    : value >= 1024 && value % 1024 == 0 ? value / 1024 + " KiB" : value + " B";
        }
        return String.format(Locale.ROOT, "%,d", value);
    }

    private String rps(Optional<Point> p) {
        return p.map(x -> String.format(Locale.ROOT, "%,.0f", x.rps())).orElse("-");
    }

    private String p99(Optional<Point> p) {
        return p.map(x -> latency(x.p99Micros())).orElse("-");
    }

    private String ratio(String d, int v) {
        return point(d, v, LOOMGATE).flatMap(l -> point(d, v, NGINX).filter(n -> n.rps() > 0)
                .map(n -> String.format(Locale.ROOT, "%.2f", l.rps() / n.rps()))).orElse("-");
    }

    private long errors(String d, int v) {
        return points.stream().filter(p -> p.dimension().equals(d) && p.value() == v).mapToLong(Point::errors).sum();
    }

    public String text() {
        StringBuilder sb = new StringBuilder("Scale curves: ").append(setup).append('\n').append(machine).append('\n');
        for (String d : dimensions()) {
            sb.append(String.format(Locale.ROOT, "%-12s %10s %12s %10s %12s %10s %8s %7s%n", d, "value",
                    "loomgate/s", "p99", "nginx/s", "p99", "lg/ngx", "errors"));
            for (int v : values(d)) {
                sb.append(String.format(Locale.ROOT, "%-12s %10s %12s %10s %12s %10s %8s %7d%n", "", label(d, v),
                        rps(point(d, v, LOOMGATE)), p99(point(d, v, LOOMGATE)), rps(point(d, v, NGINX)),
                        p99(point(d, v, NGINX)), ratio(d, v), errors(d, v)));
            }
        }
        return sb.append(whereCostGrows()).toString();
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder("# Scale curves\n\n").append(setup).append("\n\n").append(machine).append("\n\n");
        sb.append("| curve | value | Loomgate req/s | Loomgate p99 | nginx req/s | nginx p99 | Loomgate/nginx | errors |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String d : dimensions()) {
            for (int v : values(d)) {
                sb.append("| %s | %s | %s | %s | %s | %s | %s | %d |\n".formatted(d, label(d, v), rps(point(d, v, LOOMGATE)),
                        p99(point(d, v, LOOMGATE)), rps(point(d, v, NGINX)), p99(point(d, v, NGINX)), ratio(d, v),
                        errors(d, v)));
            }
        }
        return sb.append("\n```\n").append(whereCostGrows()).append("```\n").toString();
    }

    public String json() {
        List<String> items = new ArrayList<>();
        for (Point p : points) {
            items.add(String.format(Locale.ROOT, "    {\"dimension\": %s, \"value\": %d, \"target\": %s, "
                    + "\"requestsPerSec\": %.1f, \"p99Micros\": %.0f, \"errors\": %d}", q(p.dimension()), p.value(),
                    q(p.target()), p.rps(), p.p99Micros(), p.errors()));
        }
        List<String> growth = new ArrayList<>();
        for (String d : dimensions()) {
            growth(d).ifPresent(g -> growth.add(String.format(Locale.ROOT, "    {\"dimension\": %s, \"first\": %d, "
                    + "\"last\": %d, \"keptLoomgate\": %.3f, \"keptNginx\": %s}", q(d), g.first(), g.last(),
                    g.keptLoomgate(), g.keptNginx().map(n -> String.format(Locale.ROOT, "%.3f", n)).orElse("null"))));
        }
        return String.format(Locale.ROOT, "{%n  \"benchmark\": \"scale\",%n  \"machine\": %s,%n  \"setup\": %s,%n"
                        + "  \"growth\": [%n%s%n  ],%n  \"points\": [%n%s%n  ]%n}%n", q(machine), q(setup),
                String.join(",\n", growth), String.join(",\n", items));
    }
}
