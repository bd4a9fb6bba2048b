package dev.loomgate.loadtests;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The current gateway against the baseline gateway on one metric, from runs of the same interleaved rounds,
 * and whether the difference stands out from the noise of those rounds.
 *
 * <p>The ratio is the median of the per-round ratios current/baseline: both gateways ran in the same round
 * under the same machine conditions, so pairing them by round cancels load that drifts between rounds.
 * The difference is within the noise when the per-round ratios straddle 1.0 (one round favours each side)
 * or when it is no larger than the rounds' own spread ((max - min) / median of either gateway's values,
 * the larger of the two).
 *
 * @param metric          what is compared, e.g. "req/s"
 * @param higherIsBetter  true for throughput, false for costs such as CPU per request
 * @param perRoundRatios  current/baseline in each round both were measured
 * @param ratio           median of {@code perRoundRatios}
 * @param spread          the rounds' own relative spread (0.03 = 3 %)
 * @param verdict         what the figures say
 */
record BaselineComparison(String metric, boolean higherIsBetter, List<Double> perRoundRatios, double ratio,
                          double spread, Verdict verdict) {

    /** What a comparison concludes. */
    enum Verdict {
        /** The difference is no larger than the rounds' noise. */
        WITHIN_NOISE,
        /** The current gateway is better beyond the noise. */
        BETTER,
        /** The current gateway is worse beyond the noise: a regression. */
        WORSE,
        /** Fewer than two rounds: there is no spread to judge the difference by. */
        UNDETERMINED
    }

    BaselineComparison {
        perRoundRatios = List.copyOf(perRoundRatios);
    }

    /**
     * Compares the values of the current and the baseline gateway, given round by round
     * ({@code current.get(i)} and {@code baseline.get(i)} come from the same round).
     */
    static BaselineComparison of(String metric, boolean higherIsBetter, List<Double> current, List<Double> baseline) {
        if (current.size() != baseline.size() || current.isEmpty()) {
            throw new IllegalArgumentException("need the same non-zero number of rounds for both gateways, got "
                    + current.size() + " and " + baseline.size());
        }
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < current.size(); i++) {
            ratios.add(current.get(i) / baseline.get(i));
        }
        double ratio = Stats.median(ratios);
        double spread = Math.max(relativeSpread(current), relativeSpread(baseline));
        Verdict verdict;
        if (ratios.size() < 2) {
            verdict = Verdict.UNDETERMINED;
        } else {
            double min = ratios.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            double max = ratios.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            if ((min <= 1.0 && max >= 1.0) || Math.abs(ratio - 1.0) <= spread) {
                verdict = Verdict.WITHIN_NOISE;
            } else {
                verdict = (ratio > 1.0) == higherIsBetter ? Verdict.BETTER : Verdict.WORSE;
            }
        }
        return new BaselineComparison(metric, higherIsBetter, ratios, ratio, spread, verdict);
    }

    double minRatio() {
        return perRoundRatios.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    double maxRatio() {
        return perRoundRatios.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }

    /** The verdict in words, e.g. "within the noise of the rounds" or "3.2% lower, beyond the noise: regression". */
    String verdictText() {
        double pct = Math.abs(ratio - 1.0) * 100;
        String direction = ratio > 1.0 ? "higher" : "lower";
        return switch (verdict) {
            case WITHIN_NOISE -> "within the noise of the rounds";
            case BETTER -> String.format(Locale.ROOT, "%.1f%% %s, beyond the noise: better", pct, direction);
            case WORSE -> String.format(Locale.ROOT, "%.1f%% %s, beyond the noise: REGRESSION", pct, direction);
            case UNDETERMINED -> "1 round only: no spread to judge the noise by (use --rounds 3 or more)";
        };
    }

    /** One line: ratio, per-round range, the rounds' spread, the verdict. */
    String line() {
        return String.format(Locale.ROOT, "%.3f (per round %s; min..max %.3f..%.3f; rounds' own spread %.1f%%): %s",
                ratio, perRound(), minRatio(), maxRatio(), spread * 100, verdictText());
    }

    String perRound() {
        return perRoundRatios.stream().map(v -> String.format(Locale.ROOT, "%.3f", v))
                .collect(Collectors.joining(" / "));
    }

    /** A JSON object with the figures and the verdict. */
    String json() {
        return String.format(Locale.ROOT, "{\"ratio\": %.4f, \"per_round\": %s, \"min\": %.4f, \"max\": %.4f, "
                        + "\"rounds_spread\": %.4f, \"higher_is_better\": %s, \"verdict\": %s, \"verdict_text\": %s}",
                ratio, perRoundRatios.stream().map(v -> String.format(Locale.ROOT, "%.4f", v))
                        .collect(Collectors.joining(", ", "[", "]")),
                minRatio(), maxRatio(), spread, higherIsBetter, BenchReport.q(verdict.name().toLowerCase(Locale.ROOT)),
                BenchReport.q(verdictText()));
    }

    private static double relativeSpread(List<Double> values) {
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        double median = Stats.median(values);
        return median == 0 ? 0 : (max - min) / median;
    }
}
