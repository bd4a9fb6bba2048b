package dev.loomgate.loadtests.gatling;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stress ramp's result: per plateau its p99 and error share against the goals, and the highest rate
 * that held, i.e. whose plateau and every plateau below it met both goals (a plateau that holds after
 * one that broke does not count: the system was already past its limit once).
 */
public record StressVerdict(List<Plateau> plateaus, Optional<Plateau> highestHeld, int p99GoalMs,
                            double maxErrorPct) {

    /** One plateau's figures and whether it held. */
    public record Plateau(int index, long rate, RequestStats stats, boolean p99Held, boolean errorsHeld) {
        public boolean held() {
            return p99Held && errorsHeld;
        }
    }

    private static final Pattern NAME = Pattern.compile("plateau-(\\d+)-(\\d+)rps");

    public static StressVerdict evaluate(List<RequestStats> rows, int p99GoalMs, double maxErrorPct) {
        List<Plateau> plateaus = new ArrayList<>();
        for (RequestStats s : rows) {
            Matcher m = NAME.matcher(s.name());
            if (m.matches()) {
                plateaus.add(new Plateau(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), s,
                        s.total() > 0 && s.p99Ms() <= p99GoalMs, s.total() > 0 && s.koPercent() <= maxErrorPct));
            }
        }
        if (plateaus.isEmpty()) {
            throw new IllegalArgumentException("no plateau-NN-Nrps rows in the report: not a stress run?");
        }
        plateaus.sort((a, b) -> Integer.compare(a.index(), b.index()));
        for (int i = 0; i < plateaus.size(); i++) {
            if (plateaus.get(i).index() != i + 1) {
                throw new IllegalArgumentException("plateau " + (i + 1) + " missing from the report");
            }
        }
        Optional<Plateau> held = Optional.empty();
        for (Plateau p : plateaus) {
            if (!p.held()) {
                break;
            }
            held = Optional.of(p);
        }
        return new StressVerdict(List.copyOf(plateaus), held, p99GoalMs, maxErrorPct);
    }

    /** Passed when at least the first plateau held. */
    public boolean passed() {
        return highestHeld.isPresent();
    }

    public String table() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "%-20s %8s %8s %8s %8s %8s  %s%n", "plateau", "rate/s", "requests", "KO %", "p50 ms", "p99 ms",
                "held (p99 <= " + p99GoalMs + " ms, KO <= " + fmt(maxErrorPct) + " %)"));
        for (Plateau p : plateaus) {
            String why = p.held() ? "yes" : "NO:" + (p.p99Held() ? "" : " p99") + (p.errorsHeld() ? "" : " errors");
            sb.append(String.format(Locale.ROOT, "%-20s %8d %8d %8.2f %8d %8d  %s%n", p.stats().name(), p.rate(),
                    p.stats().total(), p.stats().koPercent(), p.stats().p50Ms(), p.stats().p99Ms(), why));
        }
        sb.append(highestHeld.map(p -> "highest rate that held: " + p.rate() + " req/s (plateau " + p.index()
                        + " of " + plateaus.size() + ")" + (p.index() == plateaus.size()
                        ? "; every plateau held: raise --stress-max to find the limit" : ""))
                .orElse("highest rate that held: none (the first plateau, " + plateaus.get(0).rate()
                        + " req/s, missed the goal)"));
        return sb.toString();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
