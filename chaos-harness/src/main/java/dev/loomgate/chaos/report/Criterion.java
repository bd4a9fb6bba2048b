package dev.loomgate.chaos.report;

import java.util.Locale;

/**
 * A pass criterion with the measured figure, printed either way.
 *
 * @param name        short name: {@code failed idempotent requests}
 * @param description the goal in words, for the report
 * @param measured    the figure (NaN when it could not be measured: then the criterion fails)
 * @param unit        unit of the figure: {@code requests}, {@code ms}, {@code s}
 * @param goal        the threshold as text: {@code <= 0}, {@code < 1500 ms}
 * @param pass        whether the figure meets the goal
 */
public record Criterion(String name, String description, double measured, String unit, String goal, boolean pass) {

    public static Criterion atMost(String name, String description, double measured, String unit, double max) {
        return new Criterion(name, description, measured, unit, "<= " + format(max) + suffix(unit),
                !Double.isNaN(measured) && measured <= max);
    }

    public static Criterion lessThan(String name, String description, double measured, String unit, double limit) {
        return new Criterion(name, description, measured, unit, "< " + format(limit) + suffix(unit),
                !Double.isNaN(measured) && measured < limit);
    }

    public static Criterion atLeast(String name, String description, double measured, String unit, double min) {
        return new Criterion(name, description, measured, unit, ">= " + format(min) + suffix(unit),
                !Double.isNaN(measured) && measured >= min);
    }

    /** A criterion whose figure could not be measured (no samples, the fault never happened...): it fails. */
    public static Criterion notMeasured(String name, String description, String unit, String goal, String why) {
        return new Criterion(name, description + " (not measured: " + why + ")", Double.NaN, unit, goal, false);
    }

    public boolean measuredKnown() {
        return !Double.isNaN(measured);
    }

    /** {@code 3 requests}, {@code 12.4 ms}, {@code n/a}. */
    public String measuredText() {
        return measuredKnown() ? format(measured) + suffix(unit) : "n/a";
    }

    public static String format(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v);
    }

    private static String suffix(String unit) {
        return unit.isEmpty() ? "" : " " + unit;
    }
}
