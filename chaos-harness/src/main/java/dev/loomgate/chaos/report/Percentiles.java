package dev.loomgate.chaos.report;

import java.util.Arrays;

/** Nearest-rank percentiles over latencies in milliseconds. */
final class Percentiles {
    private Percentiles() {
    }

    /** The p-th (0..1) percentile of {@code values} (sorted in place), NaN when empty. */
    static double of(double[] values, int count, double p) {
        if (count == 0) {
            return Double.NaN;
        }
        Arrays.sort(values, 0, count);
        int rank = (int) Math.ceil(p * count);
        return values[Math.min(count, Math.max(1, rank)) - 1];
    }
}
