package dev.loomgate.loadtests.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class LatencyReportTest {
    private static LatencyReport.Row row(String target, double achieved, long errors, long p50, long p99, long p999) {
        return new LatencyReport.Row(target, achieved, 1000, errors, p50, p99, p999, p999 + 100, 20);
    }

    private static LatencyReport report(long loomgateP99, double loomgateAchieved, long errors) {
        return new LatencyReport("2 cores", 10_000, "50 % of nginx's measured maximum 20,000 req/s", List.of(
                row("direct", 10_000, 0, 100, 300, 900),
                row("loomgate", loomgateAchieved, errors, 250, loomgateP99, 3000),
                row("nginx", 9_990, 0, 180, 800, 1500)));
    }

    @Test
    void addedIsProxyMinusDirect() {
        LatencyReport r = report(1200, 10_000, 0);
        assertEquals(new LatencyReport.Added(150, 900, 2100), r.added("loomgate").orElseThrow());
        assertEquals(new LatencyReport.Added(80, 500, 600), r.added("nginx").orElseThrow());
    }

    @Test
    void goalIsNginxAddedPlusOneMillisecond() {
        // nginx adds 500 us at p99: Loomgate may add up to 1,500 us
        assertEquals("PASS", report(300 + 1500, 10_000, 0).verdict());
        assertEquals("MISS", report(300 + 1501, 10_000, 0).verdict());
        assertTrue(report(300 + 1501, 10_000, 0).text().contains("goal: Loomgate p99 added +1.50 ms vs nginx p99 added +500 us + 1 ms: MISS"));
    }

    @Test
    void loomgateFallingBehindTheRateIsAMiss() {
        LatencyReport slow = report(400, 9_000, 0);
        assertEquals("MISS", slow.verdict());
        assertTrue(slow.valid());
        assertTrue(slow.text().contains("9,000!"), slow.text());
        assertTrue(slow.text().contains("Loomgate could not serve the offered rate"), slow.text());
    }

    @Test
    void theGeneratorFallingBehindOnDirectOrNginxOrFailedRequestsMakeTheRunInvalid() {
        LatencyReport generatorBehind = new LatencyReport("m", 10_000, "--rate", List.of(
                row("direct", 9_600, 0, 100, 300, 900), row("loomgate", 10_000, 0, 250, 400, 3000),
                row("nginx", 10_000, 0, 180, 800, 1500)));
        assertEquals("INVALID", generatorBehind.verdict());
        assertTrue(generatorBehind.text().contains("did not hold the rate against direct or nginx"), generatorBehind.text());
        LatencyReport nginxBehind = new LatencyReport("m", 10_000, "--rate", List.of(
                row("direct", 10_000, 0, 100, 300, 900), row("loomgate", 10_000, 0, 250, 400, 3000),
                row("nginx", 9_000, 0, 180, 800, 1500)));
        assertEquals("INVALID", nginxBehind.verdict());
        assertEquals("INVALID", report(400, 10_000, 3).verdict());
        assertEquals(3, report(400, 10_000, 3).errors());
    }

    @Test
    void aNoiseFloorAboveTheMarginLeavesTheGoalUnresolved() {
        LatencyReport noisy = new LatencyReport("2 cores", 5000, "--rate", List.of(
                new LatencyReport.Row("direct", 5000, 1000, 0, 200, 50_000, 90_000, 99_000, 1001),
                new LatencyReport.Row("loomgate", 5000, 1000, 0, 1400, 40_000, 60_000, 70_000, 900),
                new LatencyReport.Row("nginx", 5000, 1000, 0, 700, 200_000, 260_000, 270_000, 1000)));
        assertEquals("UNRESOLVED", noisy.verdict());
        assertTrue(noisy.text().contains("p99 send lag on the direct run was 1.00 ms"), noisy.text());
    }

    @Test
    void markdownAndJsonCarryEveryTargetAndTheVerdict() {
        LatencyReport r = report(1200, 10_000, 0);
        String md = r.markdown();
        assertTrue(md.contains("| loomgate | 10,000 | 250 us | 1.20 ms | 3.00 ms | 3.10 ms | 0 | +150 us | +900 us | +2.10 ms |"), md);
        assertTrue(md.contains("| direct | 10,000 | 100 us | 300 us | 900 us | 1.00 ms | 0 | - | - | - |"), md);
        String json = r.json();
        assertTrue(json.contains("\"verdict\": \"PASS\""), json);
        assertTrue(json.contains("\"target\": \"nginx\", \"achievedRate\": 9990.0"), json);
        assertTrue(json.contains("\"addedP99Micros\": 900"), json);
        assertTrue(json.contains("\"addedP99Micros\": null"), json);
    }

    @Test
    void printsTheShareOfLoomgatesMaximumAndTheCoresOfEachRun() {
        dev.loomgate.loadtests.CpuMeter.CoresUsed cores = dev.loomgate.loadtests.CpuMeter.CoresUsed.of(
                8_000_000_000L, java.util.Optional.of(9_000_000_000L), 2_000_000_000L, java.util.Optional.of(0.97),
                java.time.Duration.ofSeconds(10), 2);
        LatencyReport r = new LatencyReport("2 cores", 10_000, "--rate", List.of(
                new LatencyReport.Row("direct", 10_000, 1000, 0, 100, 300, 900, 1000, 20),
                new LatencyReport.Row("loomgate", 10_000, 1000, 0, 250, 1200, 3000, 3100, 20,
                        java.util.Optional.of(cores))), java.util.Optional.of(12_500.0));
        assertTrue(r.text().contains("offered rate = 80 % of Loomgate's own maximum 12,500 req/s"), r.text());
        assertTrue(r.text().contains("cores used during loomgate: gen 0.80, proxy 0.90, origin 0.20, other 0.04; machine 1.94/2 busy"),
                r.text());
        assertTrue(r.markdown().contains("- cores used during loomgate: gen 0.80"), r.markdown());
        assertTrue(r.json().contains("\"loomgateMaxRate\": 12500.0"), r.json());
        assertTrue(r.json().contains("\"coresUsed\": {\"generator\": 0.800, \"proxy\": 0.900, \"origin\": 0.200, "
                + "\"machineBusy\": 1.940, \"cores\": 2}"), r.json());
        assertTrue(r.json().contains("\"coresUsed\": null"), "the direct row has no cores measured: " + r.json());
    }
}
