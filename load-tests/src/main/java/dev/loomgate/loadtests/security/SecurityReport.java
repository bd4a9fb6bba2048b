package dev.loomgate.loadtests.security;

import static dev.loomgate.loadtests.BenchReport.latency;
import static dev.loomgate.loadtests.BenchReport.q;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The security benchmark's figures: per target the median req/s and p99 over interleaved rounds; the JWT route
 * against the same route without auth (goal >= {@value #JWT_GOAL}), and TLS against plain text for Loomgate and
 * nginx, with Loomgate/nginx under TLS. Text, Markdown and JSON.
 *
 * @param machine one line on the machine and tools
 * @param setup   what was measured (connections, duration, rounds, JVM options)
 * @param rounds  per target, the figures of each round in run order
 */
public record SecurityReport(String machine, String setup, Map<String, List<Round>> rounds) {
    public static final double JWT_GOAL = 0.9;
    static final String OPEN = "loomgate-open", JWT = "loomgate-jwt", LOOMGATE_TLS = "loomgate-tls",
            NGINX = "nginx", NGINX_TLS = "nginx-tls";
    /**
     * A control, not a goal: the open route sent the JWT route's Authorization header (forwarded upstream as the
     * JWT route forwards it), so JWT against it is the filter's own cost, apart from carrying a ~560-byte header.
     */
    static final String OPEN_WITH_TOKEN = "loomgate-open-token";
    /** The targets in the order rounds rotate through them. */
    static final List<String> TARGETS = List.of(OPEN, JWT, OPEN_WITH_TOKEN, LOOMGATE_TLS, NGINX, NGINX_TLS);

    /** One wrk run: req/s and p99 in us. */
    public record Round(double rps, double p99Micros) {
    }

    public SecurityReport {
        Map<String, List<Round>> copy = new LinkedHashMap<>();
        rounds.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        rounds = java.util.Collections.unmodifiableMap(copy);
    }

    Optional<Double> rps(String target) {
        return median(target, Round::rps);
    }

    Optional<Double> p99(String target) {
        return median(target, Round::p99Micros);
    }

    private Optional<Double> median(String target, java.util.function.ToDoubleFunction<Round> f) {
        List<Round> rs = rounds.getOrDefault(target, List.of());
        if (rs.isEmpty()) {
            return Optional.empty();
        }
        double[] v = rs.stream().mapToDouble(f).sorted().toArray();
        return Optional.of(v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2);
    }

    /** {@code a}'s median req/s over {@code b}'s. */
    Optional<Double> ratio(String a, String b) {
        return rps(a).flatMap(x -> rps(b).filter(y -> y > 0).map(y -> x / y));
    }

    /** PASS / MISS of the JWT goal, n/a when either route did not run. */
    public String jwtVerdict() {
        return ratio(JWT, OPEN).map(r -> r >= JWT_GOAL ? "PASS" : "MISS").orElse("n/a");
    }

    private List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add("JWT (RS256; keys and verified tokens cached) vs the same route without auth: " + fmtRatio(ratio(JWT, OPEN))
                + " (goal >= " + JWT_GOAL + "): " + jwtVerdict() + "; p99 " + fmtLat(p99(JWT)) + " vs " + fmtLat(p99(OPEN)));
        out.add("JWT vs the open route sent the same token header (the filter alone, not a goal): "
                + fmtRatio(ratio(JWT, OPEN_WITH_TOKEN)) + "; the header alone: open with token / open "
                + fmtRatio(ratio(OPEN_WITH_TOKEN, OPEN)));
        out.add("TLS vs plain text: Loomgate " + fmtRatio(ratio(LOOMGATE_TLS, OPEN)) + ", nginx "
                + fmtRatio(ratio(NGINX_TLS, NGINX)));
        out.add("Loomgate/nginx: plain text " + fmtRatio(ratio(OPEN, NGINX)) + ", with TLS "
                + fmtRatio(ratio(LOOMGATE_TLS, NGINX_TLS)));
        return out;
    }

    public String text() {
        StringBuilder sb = new StringBuilder("Security cost: ").append(setup).append('\n').append(machine).append('\n');
        sb.append(String.format(Locale.ROOT, "%-20s %12s %10s   %s%n", "target", "req/s (med)", "p99", "req/s per round"));
        for (String t : rounds.keySet()) {
            sb.append(String.format(Locale.ROOT, "%-20s %12s %10s   %s%n", t, rps(t).map(SecurityReport::fmt).orElse("-"),
                    fmtLat(p99(t)), perRound(t)));
        }
        lines().forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder("# Security cost\n\n").append(setup).append("\n\n").append(machine)
                .append("\n\n| target | req/s (median) | p99 | req/s per round |\n|---|---:|---:|---|\n");
        for (String t : rounds.keySet()) {
            sb.append("| %s | %s | %s | %s |\n".formatted(t, rps(t).map(SecurityReport::fmt).orElse("-"), fmtLat(p99(t)),
                    perRound(t)));
        }
        sb.append('\n');
        lines().forEach(l -> sb.append("- ").append(l).append('\n'));
        return sb.toString();
    }

    public String json() {
        List<String> items = new ArrayList<>();
        for (String t : rounds.keySet()) {
            items.add(String.format(Locale.ROOT, "    {\"target\": %s, \"rps\": %s, \"p99Micros\": %s, \"rpsPerRound\": %s}",
                    q(t), num(rps(t)), num(p99(t)), rounds.get(t).stream()
                            .map(r -> String.format(Locale.ROOT, "%.1f", r.rps())).toList()));
        }
        return String.format(Locale.ROOT, "{%n  \"benchmark\": \"security\",%n  \"machine\": %s,%n  \"setup\": %s,%n"
                        + "  \"jwtRatio\": %s,%n  \"jwtGoal\": %s,%n  \"jwtVerdict\": %s,%n"
                        + "  \"jwtVsOpenWithToken\": %s,%n  \"openWithTokenVsOpen\": %s,%n  \"loomgateTlsRatio\": %s,%n"
                        + "  \"nginxTlsRatio\": %s,%n  \"loomgateToNginxPlain\": %s,%n  \"loomgateToNginxTls\": %s,%n"
                        + "  \"targets\": [%n%s%n  ]%n}%n", q(machine), q(setup), num(ratio(JWT, OPEN)), JWT_GOAL,
                q(jwtVerdict()), num(ratio(JWT, OPEN_WITH_TOKEN)), num(ratio(OPEN_WITH_TOKEN, OPEN)),
                num(ratio(LOOMGATE_TLS, OPEN)), num(ratio(NGINX_TLS, NGINX)), num(ratio(OPEN, NGINX)),
                num(ratio(LOOMGATE_TLS, NGINX_TLS)), String.join(",\n", items));
    }

    private String perRound(String t) {
        return String.join(" / ", rounds.get(t).stream().map(r -> fmt(r.rps())).toList());
    }

    private static String num(Optional<Double> v) {
        return v.map(x -> String.format(Locale.ROOT, "%.3f", x)).orElse("null");
    }

    private static String fmtRatio(Optional<Double> v) {
        return v.map(x -> String.format(Locale.ROOT, "%.2f", x)).orElse("n/a");
    }

    private static String fmtLat(Optional<Double> v) {
        return v.map(x -> latency(x)).orElse("-");
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }
}
