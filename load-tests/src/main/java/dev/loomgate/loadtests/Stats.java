package dev.loomgate.loadtests;

import java.util.List;

/** Median and nearest-rank percentiles of a benchmark's samples. */
public final class Stats {
    private Stats() {
    }

    /** The median (mean of the middle two for an even count); NaN when empty. */
    public static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Nearest-rank percentile of ascending {@code sorted} ({@code fraction} 0.99 = p99); NaN when empty. */
    public static double percentile(List<Double> sorted, double fraction) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(fraction * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
