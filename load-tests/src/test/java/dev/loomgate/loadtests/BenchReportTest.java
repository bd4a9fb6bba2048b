package dev.loomgate.loadtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The report's baseline section, fed with made-up measurements. */
class BenchReportTest {
    private static final MachineInfo MACHINE = new MachineInfo(2, "Test CPU", "1.0 GiB", "JDK 21", "wrk 4.1",
            "nginx/1.22", "Linux", "2026-11-30T16:00:00Z");
    private static final List<BenchReport.Subject> TARGETS = List.of(
            new BenchReport.Subject("direct", "wrk -> origin"),
            new BenchReport.Subject(BenchReport.CURRENT, "wrk -> Loomgate -> origin"),
            new BenchReport.Subject("nginx", "wrk -> nginx -> origin"),
            new BenchReport.Subject(BenchReport.BASELINE, "wrk -> baseline Loomgate -> origin"));

    private static Measurement run(String target, int round, double rps, double cpu) {
        WrkResult wrk = new WrkResult((long) rps * 10, rps, 1000, 5000, 0, WrkResult.SocketErrors.NONE);
        return new Measurement(target, round, wrk, cpu, Optional.of(0L), Optional.of(0), Optional.of(0), "0.5");
    }

    private static BenchOptions options(String... extra) {
        List<String> args = new ArrayList<>(List.of("--rounds", "3"));
        args.addAll(List.of(extra));
        return BenchOptions.parse(args.toArray(String[]::new), Path.of("/repo"));
    }

    /** Three rounds; the current gateway runs {@code currentRps[i]} in round i+1, the baseline 100 req/s at 35 us. */
    private static List<Measurement> rounds(double[] currentRps, double[] currentCpu) {
        List<Measurement> ms = new ArrayList<>();
        for (int round = 1; round <= 3; round++) {
            ms.add(run("direct", round, 300, 5));
            ms.add(run(BenchReport.CURRENT, round, currentRps[round - 1], currentCpu[round - 1]));
            ms.add(run("nginx", round, 200, 11));
            ms.add(run(BenchReport.BASELINE, round, 100 + round - 2, 35));
        }
        return ms;
    }

    @Test
    void comparesCurrentWithBaselineRoundByRound() {
        BenchReport report = new BenchReport(MACHINE, options("--baseline-jar", "/tmp/old.jar", "--baseline-label",
                "main (638f708)"), TARGETS, rounds(new double[] {80, 81, 79}, new double[] {44, 44, 45}), Map.of());
        List<BaselineComparison> vs = report.vsBaseline();
        assertEquals(2, vs.size());
        assertEquals("req/s", vs.get(0).metric());
        assertEquals(List.of(80 / 99.0, 81 / 100.0, 79 / 101.0), vs.get(0).perRoundRatios());
        assertEquals(BaselineComparison.Verdict.WORSE, vs.get(0).verdict());
        assertEquals("CPU us/req", vs.get(1).metric());
        assertEquals(BaselineComparison.Verdict.WORSE, vs.get(1).verdict());

        String text = report.text();
        assertTrue(text.contains("baseline: main (638f708), jar /tmp/old.jar"), text);
        assertTrue(text.contains("current/baseline (loomgate / main (638f708)):"), text);
        assertTrue(text.contains("req/s      = 0.808 (per round 0.808 / 0.810 / 0.782;"), text);
        assertTrue(text.contains("REGRESSION"), text);
        assertTrue(text.contains("churn, loomgate-baseline: upstream connections opened per round"), text);

        String md = report.markdown();
        assertTrue(md.contains("**Current vs baseline**"), md);
        assertTrue(md.contains("| req/s | 0.808 | 0.808 / 0.810 / 0.782 | 0.782..0.810 |"), md);
        assertTrue(md.contains("| loomgate-baseline — wrk -> baseline Loomgate -> origin |"), md);

        String json = report.json();
        assertTrue(json.contains("\"baseline\": {\"target\": \"loomgate-baseline\", \"label\": \"main (638f708)\""), json);
        assertTrue(json.contains("\"current_vs_baseline\": {\"rps\": {\"ratio\": 0.8081"), json);
        assertTrue(json.contains("\"cpu_us_per_request\": {\"ratio\": 1.2571"), json);
    }

    @Test
    void sameFiguresWithinTheRoundsNoiseSayWithinNoise() {
        BenchReport report = new BenchReport(MACHINE, options("--baseline-jar", "/tmp/old.jar"), TARGETS,
                rounds(new double[] {101, 99, 100}, new double[] {35, 35.5, 34.5}), Map.of());
        String text = report.text();
        assertTrue(text.contains("current/baseline (loomgate / old.jar):"), text);
        for (BaselineComparison c : report.vsBaseline()) {
            assertEquals(BaselineComparison.Verdict.WITHIN_NOISE, c.verdict(), c.line());
        }
        assertFalse(text.contains("REGRESSION"), text);
    }

    @Test
    void withoutBaselineTheReportHasNoComparison() {
        List<Measurement> ms = rounds(new double[] {80, 81, 79}, new double[] {44, 44, 45}).stream()
                .filter(m -> !m.target().equals(BenchReport.BASELINE)).toList();
        BenchReport report = new BenchReport(MACHINE, options(), TARGETS.subList(0, 3), ms,
                Map.of(BenchReport.CURRENT, 63L));
        assertTrue(report.vsBaseline().isEmpty());
        assertFalse(report.text().contains("baseline"), report.text());
        assertFalse(report.markdown().contains("baseline"), report.markdown());
        assertFalse(report.json().contains("baseline"), report.json());
        assertTrue(report.json().contains("\"gateway_upstream_connections_opened_during_warmup\": 63"), report.json());
    }

    @Test
    void theDeadCollectorTargetGetsItsRatioAgainstTracingOff() {
        List<BenchReport.Subject> targets = List.of(
                new BenchReport.Subject("direct", "wrk -> origin"),
                new BenchReport.Subject(BenchReport.CURRENT, "wrk -> Loomgate -> origin"),
                new BenchReport.Subject("nginx", "wrk -> nginx -> origin"),
                new BenchReport.Subject(BenchReport.TRACING, "wrk -> Loomgate, tracing on, collector down -> origin"));
        List<Measurement> ms = new ArrayList<>();
        for (int round = 1; round <= 3; round++) {
            ms.add(run("direct", round, 300, 5));
            ms.add(run(BenchReport.CURRENT, round, 100, 35));
            ms.add(run("nginx", round, 200, 11));
            ms.add(run(BenchReport.TRACING, round, 80 + round, 40));
        }
        BenchReport report = new BenchReport(MACHINE, options("--tracing-dead-collector"), targets, ms, Map.of());
        String text = report.text();
        assertTrue(text.contains("tracing on, collector down / tracing off (loomgate-tracing / loomgate) = 0.82"), text);
        assertTrue(text.contains("below the goal (>= 0.9)"), text);
        assertTrue(report.markdown().contains("**Tracing**: tracing on, collector down"), report.markdown());
        BenchReport without = new BenchReport(MACHINE, options(), TARGETS.subList(0, 3),
                ms.stream().filter(m -> !m.target().equals(BenchReport.TRACING)).toList(), Map.of());
        assertFalse(without.text().contains("tracing on"), "no line without the target");
    }
}
