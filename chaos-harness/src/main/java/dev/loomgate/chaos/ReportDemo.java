package dev.loomgate.chaos;

import dev.loomgate.chaos.load.ErrorClass;
import dev.loomgate.chaos.load.RecordIo;
import dev.loomgate.chaos.load.RequestRecord;
import dev.loomgate.chaos.report.ConsoleTable;
import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.FaultEvent;
import dev.loomgate.chaos.report.Figures;
import dev.loomgate.chaos.report.LogLink;
import dev.loomgate.chaos.report.ReportWriter;
import dev.loomgate.chaos.report.RunReport;
import dev.loomgate.chaos.report.ScenarioResult;
import dev.loomgate.chaos.report.Window;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Writes a chaos report from synthetic data: shows what a report looks like without a cluster.
 * Usage: {@code ReportDemo [output-dir]} (default {@code target/chaos-demo}).
 */
public final class ReportDemo {
    private ReportDemo() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/chaos-demo");
        RunReport report = demoReport(Instant.parse("2026-01-15T10:00:00Z"), dir);
        Path index = ReportWriter.write(report, dir);
        System.out.print(ConsoleTable.render(report));
        System.out.println("report: " + index.toAbsolutePath());
    }

    /** Two synthetic scenarios: a node kill -9 that passes, a frozen Redis whose latency criterion fails. */
    public static RunReport demoReport(Instant startedAt, Path dir) throws IOException {
        long t0 = startedAt.toEpochMilli();
        return new RunReport("Loomgate chaos report (synthetic demo)", startedAt, "synthetic",
                RunReport.describeMachine(), List.of(nodeKill(t0, dir), redisFreeze(t0 + 60_000, dir)));
    }

    private static ScenarioResult nodeKill(long t0, Path dir) throws IOException {
        SyntheticLoad load = new SyntheticLoad(7, t0, 200, List.of("gw1", "gw2", "gw3"));
        // kill mid-run so requests are in flight
        long kill = load.at(6.0);
        long down = load.at(6.8);
        long back = load.at(12.0);
        load.run(18, s -> {
            boolean gw2Gone = s.startMillis() >= kill && s.startMillis() < back;
            if (s.node().equals("gw2") && s.startMillis() >= kill - 150 && s.startMillis() < kill) {
                // slow requests in flight at the kill: plain POSTs fail, HAProxy re-sends the idempotent ones
                if (!s.kind().idempotent()) {
                    return new SyntheticLoad.Planned(0, ErrorClass.RESET, kill - s.startMillis() + 0.3, Optional.empty());
                }
                return new SyntheticLoad.Planned(200, ErrorClass.NONE, kill - s.startMillis() + 6, Optional.of("gw1"));
            }
            if (s.node().equals("gw2") && gw2Gone) {
                // until HAProxy marks gw2 down each request pays a refused connect and a redispatch
                String other = s.seq() % 2 == 0 ? "gw1" : "gw3";
                double extra = s.startMillis() < down ? 3 + s.random().nextDouble() * 4 : 0;
                return new SyntheticLoad.Planned(200, ErrorClass.NONE, load.baseLatency() + extra, Optional.of(other));
            }
            return load.healthy(s);
        });
        List<RequestRecord> records = load.records();
        FaultEvent fault = FaultEvent.instant("kill -9", "gw2", kill);
        FaultEvent restart = FaultEvent.instant("restart", "gw2", back);
        // from 1 s before (requests already in flight at the kill) to 2 s after
        Window around = Window.around(fault, 1_000, 2_000);
        long inFlight = Figures.inFlightOnNode(records, "gw2", kill) + Figures.inFlightUnattributed(records, kill);
        Path log = writeRecords(dir, "node-kill", records);
        return ScenarioResult.of("kill -9 one of 3 gateway nodes",
                "200 req/s through HAProxy; gw2 is killed with SIGKILL at t=6 s and restarted at t=12 s.",
                records, List.of(fault, restart), List.of(
                        Criterion.atMost("failed idempotent requests", "GET and POST with Idempotency-Key never fail",
                                Figures.failedIdempotent(records, Window.all()), "requests", 0),
                        Criterion.atMost("failed non-idempotent requests",
                                "at most the requests in flight on gw2 at the kill (" + inFlight + ")",
                                Figures.failedNonIdempotent(records, Window.all()), "requests", inFlight),
                        Criterion.atMost("failures outside the fault window", "nothing fails that started more than 1 s before or 2 s after the kill",
                                Figures.failedOutside(records, around), "requests", 0),
                        Criterion.atMost("requests served by gw2 while dead", "none answered by gw2 between kill and restart",
                                Figures.count(records, new Window(kill, back),
                                        r -> r.node().filter("gw2"::equals).isPresent()), "requests", 0),
                        Criterion.lessThan("gw2 marked down", "kill to HAProxy's 'gw2 is DOWN' (synthetic figure)",
                                down - kill, "ms", 1500)),
                List.of(new LogLink("request records (JSON lines)", log)));
    }

    private static ScenarioResult redisFreeze(long t0, Path dir) throws IOException {
        SyntheticLoad load = new SyntheticLoad(11, t0, 200, List.of("gw1", "gw2", "gw3"));
        long freeze = load.at(5);
        long breakerOpen = load.at(6.2);
        long resume = load.at(11);
        load.run(16, s -> {
            long t = s.startMillis();
            if (t >= freeze && t < breakerOpen) {
                // every limiter call waits for the Redis timeout until the breaker opens
                return new SyntheticLoad.Planned(200, ErrorClass.NONE, 45 + s.random().nextDouble() * 60,
                        Optional.of(s.node()));
            }
            if (t >= breakerOpen && t < resume) {
                double lat = load.baseLatency() + 1.4;
                return s.random().nextDouble() < 0.05
                        ? new SyntheticLoad.Planned(429, ErrorClass.NONE, lat, Optional.of(s.node()))
                        : new SyntheticLoad.Planned(200, ErrorClass.NONE, lat, Optional.of(s.node()));
            }
            return load.healthy(s);
        });
        List<RequestRecord> records = load.records();
        FaultEvent fault = new FaultEvent("SIGSTOP", "redis master", freeze, resume);
        Window baseline = Window.before(fault, 4_000);
        Window degraded = new Window(breakerOpen + 500, resume);
        Path log = writeRecords(dir, "redis-freeze", records);
        return ScenarioResult.of("Redis black-holed",
                "Redis master frozen with SIGSTOP for 6 s: no 5xx, and once the breaker is open p99 is back within "
                        + "1 ms of normal.",
                records, List.of(fault), List.of(
                        Criterion.atMost("5xx responses", "no server errors while Redis is gone",
                                Figures.serverErrors(records, Window.all()), "responses", 0),
                        Criterion.atMost("p99 increase with breaker open", "p99 after the breaker opened vs the 4 s before",
                                Figures.p99Increase(records, degraded, baseline).orElse(Double.NaN), "ms", 1.0),
                        Criterion.lessThan("time to breaker open", "first slow request to last slow one",
                                breakerOpen - freeze, "ms", 2000)),
                List.of(new LogLink("request records (JSON lines)", log)));
    }

    private static Path writeRecords(Path dir, String name, List<RequestRecord> records) throws IOException {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Path file = logs.resolve(name + "-records.jsonl");
        RecordIo.writeJsonLines(file, records);
        return file;
    }
}
