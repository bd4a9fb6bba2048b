package dev.loomgate.benchmarks;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code make bench-routes}: runs {@link RouteMatchBenchmark} (average time, then sample time for the p99) and
 * {@link SnapshotBuildBenchmark} (single shots) in forked JVMs and prints {@link RouteGoalReport}.
 */
public final class RouteBenchmarks {
    private RouteBenchmarks() {
    }

    public static void main(String[] args) throws RunnerException {
        BenchRoutesOptions o;
        try {
            o = BenchRoutesOptions.parse(List.of(args));
        } catch (IllegalArgumentException e) {
            System.err.println("bench-routes: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (o.help()) {
            System.out.println(BenchRoutesOptions.USAGE);
            return;
        }
        int iterations = o.quick() ? 3 : 7;
        TimeValue time = TimeValue.seconds(o.quick() ? 1 : 2);
        System.out.printf("bench-routes: %,d routes; match: %d warm-up + %d measured iterations of %s, average then"
                + " sample time; build + swap: single shots (JMH output follows)%n", o.routes(), iterations, iterations, time);

        RunResult average = single(run(matchOptions(o, iterations, time).mode(Mode.AverageTime)));
        double[] iterationScores = average.getBenchmarkResults().stream()
                .flatMap(b -> b.getIterationResults().stream())
                .mapToDouble(i -> i.getPrimaryResult().getScore()).toArray();
        RunResult sample = single(run(matchOptions(o, iterations, time).mode(Mode.SampleTime)));
        double p99 = sample.getPrimaryResult().getStatistics().getPercentile(99);
        RunResult build = single(run(new OptionsBuilder()
                .include(SnapshotBuildBenchmark.class.getName() + ".")
                .param("routes", Integer.toString(o.routes()))
                .mode(Mode.SingleShotTime).timeUnit(TimeUnit.MILLISECONDS)
                .warmupIterations(o.quick() ? 3 : 5).measurementIterations(o.quick() ? 5 : 10)
                .forks(1).jvmArgsAppend("-Xmx1g")));
        System.out.println("bench-routes: CPU time per match (thread CPU clock, this JVM)...");
        RouteFixture fixture = RouteFixture.checked(o.routes());
        double[] cpu = CpuPerMatch.measure(fixture.table(), fixture.requests().toArray(LookupRequest[]::new),
                o.quick() ? 5 : 11, 1_000_000);
        System.out.println("bench-routes: CPU time per build + swap (thread CPU clock, this JVM)...");
        dev.loomgate.gateway.routing.RoutingState state = new dev.loomgate.gateway.routing.RoutingState();
        java.util.logging.Logger.getLogger(dev.loomgate.gateway.routing.RoutingState.class.getName())
                .setLevel(java.util.logging.Level.WARNING);
        double[] buildCpu = CpuPerMatch.buildMillis(state, fixture.generated().yaml(), 3, o.quick() ? 3 : 7);
        RouteGoalReport report = new RouteGoalReport(o.routes(), average.getPrimaryResult().getScore(),
                RouteGoalReport.median(iterationScores), p99, cpu[cpu.length / 2],
                build.getPrimaryResult().getScore(), build.getPrimaryResult().getStatistics().getMax(),
                buildCpu[buildCpu.length / 2]);
        System.out.println();
        report.lines().forEach(System.out::println);
        System.out.println("  (JMH, 1 fork; match cycles 1,000 lookups: 5 hit kinds and 5 kinds of miss)");
        if (!report.allMet()) {
            System.exit(1);
        }
    }

    private static ChainedOptionsBuilder matchOptions(BenchRoutesOptions o, int iterations, TimeValue time) {
        return new OptionsBuilder()
                .include(RouteMatchBenchmark.class.getName() + ".")
                .param("routes", Integer.toString(o.routes()))
                .timeUnit(TimeUnit.NANOSECONDS)
                .warmupIterations(iterations).warmupTime(time)
                .measurementIterations(iterations).measurementTime(time)
                .forks(1).jvmArgsAppend("-Xmx1g");
    }

    private static Collection<RunResult> run(ChainedOptionsBuilder options) throws RunnerException {
        return new Runner(options.build()).run();
    }

    private static RunResult single(Collection<RunResult> results) {
        if (results.size() != 1) {
            throw new IllegalStateException("expected one JMH result, got " + results.size());
        }
        return results.iterator().next();
    }
}
