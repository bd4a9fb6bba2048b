package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.load.ErrorClass;
import dev.loomgate.chaos.load.RequestKind;
import dev.loomgate.chaos.load.RequestRecord;
import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.Window;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The criteria of issue 7 judged on hand-made records: each must pass on good data and fail on bad. */
class ScenarioCriteriaTest {
    private static final long T0 = 1_700_000_000_000L;
    private long seq;

    private RequestRecord rec(RequestKind kind, long startMillis, double latencyMillis, int status, ErrorClass error,
                              String node, String lb) {
        long start = startMillis * 1_000_000L;
        return new RequestRecord(seq++, kind, start, start, Math.round(latencyMillis * 1e6), status, error,
                Optional.ofNullable(node), Optional.ofNullable(lb), false, false);
    }

    private RequestRecord ok(RequestKind kind, long startMillis, String node) {
        return rec(kind, startMillis, 2, 200, ErrorClass.NONE, node, "lb1");
    }

    private RequestRecord reset(RequestKind kind, long startMillis, double latency) {
        return rec(kind, startMillis, latency, 0, ErrorClass.RESET, null, null);
    }

    @Test
    void gatewayKillBoundsPlainPostFailuresByThoseInFlightOnTheNode() {
        long kill = T0 + 5000;
        List<RequestRecord> records = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            records.add(ok(RequestKind.GET, T0 + i * 100, "gw" + (i % 3 + 1)));
        }
        // two plain POSTs on the wire at the kill died with the node (no node header), one on gw1 survived
        records.add(reset(RequestKind.POST, kill - 30, 40));
        records.add(reset(RequestKind.POST, kill - 10, 40));
        records.add(rec(RequestKind.POST, kill - 5, 20, 200, ErrorClass.NONE, "gw1", "lb1"));
        Criterion bounded = ScenarioCriteria.nonIdempotentFailuresBoundedByInFlight(records, "gw2", kill);
        assertTrue(bounded.pass(), bounded.toString());
        assertEquals(2, bounded.measured());
        assertEquals("<= 2 requests", bounded.goal());
        assertTrue(ScenarioCriteria.noFailedIdempotent(records).pass());

        // a plain POST that started after the kill and failed is beyond the bound
        records.add(reset(RequestKind.POST, kill + 200, 1));
        Criterion after = ScenarioCriteria.nonIdempotentFailuresBoundedByInFlight(records, "gw2", kill);
        assertFalse(after.pass());
        assertEquals(3, after.measured());
        // and an idempotent failure fails the first criterion
        records.add(reset(RequestKind.POST_IDEMPOTENT, kill + 300, 1));
        Criterion idem = ScenarioCriteria.noFailedIdempotent(records);
        assertFalse(idem.pass());
        assertEquals(1, idem.measured());
    }

    @Test
    void markDownTimeHasAFigureOrFailsAsNotMeasured() {
        Criterion fast = ScenarioCriteria.markedDownWithin("lb1", "gw2", OptionalLong.of(850), 1500);
        assertTrue(fast.pass());
        assertEquals("850 ms", fast.measuredText());
        assertFalse(ScenarioCriteria.markedDownWithin("lb1", "gw2", OptionalLong.of(1500), 1500).pass());
        Criterion never = ScenarioCriteria.markedDownWithin("lb1", "gw2", OptionalLong.empty(), 1500);
        assertFalse(never.pass());
        assertEquals("n/a", never.measuredText());
    }

    @Test
    void nodeDownAlertMustReachAlertmanagerWithinTheBound() {
        java.time.Duration bound = java.time.Duration.ofSeconds(39);
        java.time.Duration forDuration = java.time.Duration.ofSeconds(30);
        String how = "for 30 s + 2 x scrape 2 s + evaluation 5 s";
        Criterion inTime = ScenarioCriteria.alertReachedAlertmanager("LoomgateNodeDown", "gw2",
                OptionalLong.of(33_460), forDuration, bound, how);
        assertTrue(inTime.pass(), inTime.toString());
        assertEquals("33.5 s", inTime.measuredText());
        assertEquals("<= 39 s (>= 30 s)", inTime.goal());
        assertTrue(inTime.description().contains(how), inTime.description());
        Criterion late = ScenarioCriteria.alertReachedAlertmanager("LoomgateNodeDown", "gw2",
                OptionalLong.of(39_100), forDuration, bound, how);
        assertFalse(late.pass(), late.toString());
        Criterion early = ScenarioCriteria.alertReachedAlertmanager("LoomgateNodeDown", "gw2",
                OptionalLong.of(29_900), forDuration, bound, how);
        assertFalse(early.pass(), "an alert before its for: was not raised by this kill: " + early);
        Criterion never = ScenarioCriteria.alertReachedAlertmanager("LoomgateNodeDown", "gw2", OptionalLong.empty(),
                forDuration, bound, how);
        assertFalse(never.pass());
        assertEquals("n/a", never.measuredText());
    }

    @Test
    void vipFailoverMeasuresFirstBackupAnswerAndFailuresOutsideTheWindow() {
        long crash = T0 + 4000;
        List<RequestRecord> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            records.add(rec(RequestKind.GET, T0 + i * 100, 2, 200, ErrorClass.NONE, "gw1", "lb1"));
        }
        records.add(rec(RequestKind.GET, crash + 100, 500, 0, ErrorClass.CONNECT_TIMEOUT, null, null));
        records.add(rec(RequestKind.GET, crash + 650, 3, 200, ErrorClass.NONE, "gw2", "lb2"));
        List<Criterion> good = ScenarioCriteria.vipFailover(records, "lb2", crash, 1000);
        assertTrue(good.get(0).pass(), good.toString());
        assertEquals(653, good.get(0).measured());
        assertTrue(good.get(1).pass());

        records.add(rec(RequestKind.GET, crash + 1500, 1, 0, ErrorClass.CONNECT_REFUSED, null, null));
        List<Criterion> late = ScenarioCriteria.vipFailover(records, "lb2", crash, 1000);
        assertFalse(late.get(1).pass());
        assertEquals(1, late.get(1).measured());
        assertFalse(ScenarioCriteria.vipFailover(records, "lb3", crash, 1000).get(0).pass(), "backup never answered");
    }

    @Test
    void rateLimitMustShow429sInEverySecond() {
        long from = T0;
        List<RequestRecord> limited = new ArrayList<>();
        for (int s = 0; s < 5; s++) {
            for (int i = 0; i < 20; i++) {
                boolean limitedNow = i >= 10;
                limited.add(rec(RequestKind.GET, from + s * 1000 + i * 50, 1, limitedNow ? 429 : 200,
                        ErrorClass.NONE, "gw1", "lb1"));
            }
        }
        Window window = new Window(from, from + 5000);
        Criterion held = ScenarioCriteria.limitKeptApplying(limited, window);
        assertTrue(held.pass(), held.toString());
        assertEquals(0, held.measured());

        // second 2 admitted everything: the limit did not apply there
        limited.replaceAll(r -> r.startMillis() >= from + 2000 && r.startMillis() < from + 3000 && r.status() == 429
                ? rec(RequestKind.GET, r.startMillis(), 1, 200, ErrorClass.NONE, "gw1", "lb1") : r);
        Criterion broken = ScenarioCriteria.limitKeptApplying(limited, window);
        assertFalse(broken.pass());
        assertEquals(1, broken.measured());
        assertFalse(ScenarioCriteria.limitKeptApplying(List.of(), window).pass(), "no data is not a pass");
    }

    @Test
    void p99WithTheBreakerOpenComparesWithTheBaseline() {
        List<RequestRecord> records = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            records.add(rec(RequestKind.GET, T0 + i * 10, 2.0, 200, ErrorClass.NONE, "gw1", "lb1"));
        }
        for (int i = 0; i < 500; i++) {
            records.add(rec(RequestKind.GET, T0 + 5000 + i * 10, 2.5, 429, ErrorClass.NONE, "gw1", "lb1"));
        }
        Window baseline = new Window(T0, T0 + 5000);
        Window open = new Window(T0 + 5000, T0 + 10_000);
        Criterion within = ScenarioCriteria.p99WithinOfBaseline(records, open, baseline, 1.0);
        assertTrue(within.pass(), within.toString());
        assertEquals(0.5, within.measured(), 1e-9);

        for (int i = 0; i < 20; i++) {
            records.add(rec(RequestKind.GET, T0 + 6000 + i, 50, 200, ErrorClass.NONE, "gw1", "lb1"));
        }
        Criterion taxed = ScenarioCriteria.p99WithinOfBaseline(records, open, baseline, 1.0);
        assertFalse(taxed.pass(), taxed.toString());
        assertFalse(ScenarioCriteria.p99WithinOfBaseline(records, new Window(T0 + 20_000, T0 + 21_000), baseline, 1)
                .pass(), "an empty window is not measured");
    }

    @Test
    void p99DuringTheRollIsComparedWithTheSteadyP99AsARatio() {
        List<RequestRecord> records = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            records.add(rec(RequestKind.GET, T0 + i * 10, 2.0, 200, ErrorClass.NONE, "gw1", "lb1"));
        }
        for (int i = 0; i < 500; i++) {
            records.add(rec(RequestKind.GET, T0 + 5000 + i * 10, 3.5, 200, ErrorClass.NONE, "gw1", "lb1"));
        }
        Window steady = new Window(T0, T0 + 5000);
        Window roll = new Window(T0 + 5000, T0 + 10_000);
        Criterion within = ScenarioCriteria.p99RatioToSteady(records, roll, steady, 2.0);
        assertTrue(within.pass(), within.toString());
        assertEquals(1.75, within.measured(), 1e-9);
        assertTrue(within.name().contains("3.50 ms vs 2 ms"), within.name());

        // a restarted node slow for a while: 2 % of the roll's requests take 2.45 s
        for (int i = 0; i < 10; i++) {
            records.add(rec(RequestKind.GET, T0 + 6000 + i, 2450, 200, ErrorClass.NONE, "gw2", "lb1"));
        }
        Criterion slow = ScenarioCriteria.p99RatioToSteady(records, roll, steady, 2.0);
        assertFalse(slow.pass(), slow.toString());
        assertFalse(ScenarioCriteria.p99RatioToSteady(records, new Window(T0 + 20_000, T0 + 21_000), steady, 2)
                .pass(), "an empty window is not measured");
    }

    @Test
    void p99CountsEachNodeOnlyAfterItsOwnBreakerOpened() {
        long fault = T0 + 5000;
        List<RequestRecord> records = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            records.add(rec(RequestKind.GET, T0 + i * 10, 2.0, 200, ErrorClass.NONE, "gw" + (i % 2 + 1), "lb1"));
        }
        // gw1's breaker opens at +1 s, gw2's at +3 s: slow answers before those instants do not count
        for (int i = 0; i < 500; i++) {
            long t = fault + i * 10;
            String node = "gw" + (i % 2 + 1);
            boolean open = node.equals("gw1") ? t >= fault + 1000 : t >= fault + 3000;
            records.add(rec(RequestKind.GET, t, open ? 2.4 : 60, 429, ErrorClass.NONE, node, "lb1"));
        }
        Map<String, Long> opened = Map.of("gw1", fault + 1000, "gw2", fault + 3000);
        Window baseline = new Window(T0, fault);
        Criterion c = ScenarioCriteria.p99AfterBreakersOpened(records, opened, fault + 5000, baseline, 1.0);
        assertTrue(c.pass(), c.toString());
        assertEquals(0.4, c.measured(), 1e-9);
        // had gw2 been counted from gw1's instant, its slow answers would fail the criterion
        Criterion wrong = ScenarioCriteria.p99AfterBreakersOpened(records, Map.of("gw1", fault + 1000,
                "gw2", fault + 1000), fault + 5000, baseline, 1.0);
        assertFalse(wrong.pass(), wrong.toString());
        assertFalse(ScenarioCriteria.p99AfterBreakersOpened(records, Map.of(), fault + 5000, baseline, 1.0).pass());
    }

    @Test
    void everyNodeMustServeTheLastVersion() {
        Map<String, Optional<String>> seen = new LinkedHashMap<>();
        seen.put("gw1", Optional.of("v7"));
        seen.put("gw2", Optional.of("v7"));
        seen.put("gw3", Optional.of("v7"));
        assertTrue(ScenarioCriteria.nodesServing(seen, "v7").pass());
        seen.put("gw3", Optional.of("v6"));
        Criterion lost = ScenarioCriteria.nodesServing(seen, "v7");
        assertFalse(lost.pass());
        assertEquals(2, lost.measured());
        assertTrue(lost.description().contains("gw3=v6"), lost.description());
        seen.put("gw3", Optional.empty());
        assertTrue(ScenarioCriteria.nodesServing(seen, "v7").description().contains("gw3=no answer"));
    }

    @Test
    void serverErrorsAreCountedPerNode() {
        List<RequestRecord> records = List.of(
                rec(RequestKind.GET, T0, 1, 503, ErrorClass.NONE, "gw1", "lb1"),
                rec(RequestKind.GET, T0, 1, 200, ErrorClass.NONE, "gw2", "lb1"),
                rec(RequestKind.GET, T0, 1, 429, ErrorClass.NONE, "gw2", "lb1"));
        assertTrue(ScenarioCriteria.noServerErrorsFrom(records, "gw2").pass());
        assertFalse(ScenarioCriteria.noServerErrorsFrom(records, "gw1").pass());
        assertEquals(1, ScenarioCriteria.noServerErrors(records).measured());
        assertFalse(ScenarioCriteria.skipped("needs namespace mode (root)").pass());
    }

    @Test
    void breakerP99ShowsBothAbsoluteFiguresAndFailsWhenSlowerThanTheWarmBaseline() {
        long fault = T0 + 20_000;
        List<RequestRecord> records = new ArrayList<>();
        // warm baseline: 5 s before the fault at 3 ms; after the breaker opened 40 ms: a degraded path
        for (long t = fault - 5000; t < fault; t += 50) {
            records.add(rec(RequestKind.GET, t, 3, 429, ErrorClass.NONE, "gw1", "lb1"));
        }
        for (long t = fault + 1000; t < fault + 6000; t += 50) {
            records.add(rec(RequestKind.GET, t, 40, 429, ErrorClass.NONE, "gw1", "lb1"));
        }
        Window baseline = new Window(fault - 5000, fault);
        Criterion slow = ScenarioCriteria.p99AfterBreakersOpened(records, Map.of("gw1", fault + 1000), fault + 6000,
                baseline, 1.0);
        assertFalse(slow.pass(), slow.toString());
        assertEquals(37, slow.measured(), 1e-9);
        assertTrue(slow.name().contains("40 ms vs 3 ms"), slow.name());
        assertTrue(slow.description().contains("(40 ms)") && slow.description().contains("(3 ms)"),
                slow.description());
    }

    @Test
    void warmUpRecordsAreLeftOutOfEveryFigure() {
        long measuredFrom = T0 + 15_000;
        List<RequestRecord> records = new ArrayList<>();
        // a cold cluster: 700 ms answers in the warm-up, 3 ms once warm
        for (long t = T0; t < measuredFrom; t += 100) {
            records.add(rec(RequestKind.GET, t, 700, 200, ErrorClass.NONE, "gw1", "lb1"));
        }
        for (long t = measuredFrom; t < measuredFrom + 10_000; t += 100) {
            records.add(rec(RequestKind.GET, t, 3, 200, ErrorClass.NONE, "gw1", "lb1"));
        }
        List<RequestRecord> measured = UnderLoad.afterWarmUp(records, measuredFrom);
        assertEquals(100, measured.size());
        assertTrue(measured.stream().allMatch(r -> r.startMillis() >= measuredFrom));
        assertEquals(3, dev.loomgate.chaos.report.Figures.p99(measured, Window.all()).orElseThrow(), 1e-9);
    }

    @Test
    void everyPushMustBeAcceptedOrRefusedByACasConflict() {
        List<RoutesPush.Outcome> good = List.of(RoutesPush.Outcome.ACCEPTED, RoutesPush.Outcome.ACCEPTED,
                RoutesPush.Outcome.CAS_CONFLICT);
        Criterion ok = ScenarioCriteria.pushesAccountedFor(good, 1);
        assertTrue(ok.pass(), ok.toString());
        assertEquals(0, ok.measured());
        assertTrue(ok.description().contains("2 accepted, 1 refused by CAS conflict"), ok.description());

        // one accepted push out of 200 used to pass; a push lost to an unreachable Consul or an unexplained exit fails
        List<RoutesPush.Outcome> bad = new ArrayList<>(good);
        bad.add(RoutesPush.Outcome.CONSUL_UNREACHABLE);
        bad.add(RoutesPush.Outcome.OTHER);
        Criterion lost = ScenarioCriteria.pushesAccountedFor(bad, 0);
        assertFalse(lost.pass(), lost.toString());
        assertEquals(2, lost.measured());
        assertFalse(ScenarioCriteria.pushesAccountedFor(List.of(), 0).pass());
    }

    @Test
    void routesPushExitCodesAreClassified() {
        assertEquals(RoutesPush.Outcome.ACCEPTED, new RoutesPush(0, "pushed version v1").outcome());
        assertEquals(RoutesPush.Outcome.CAS_CONFLICT, new RoutesPush(3, "loomgate: conflict: ...").outcome());
        assertEquals(RoutesPush.Outcome.CONSUL_UNREACHABLE, new RoutesPush(4, "Consul error").outcome());
        assertEquals(RoutesPush.Outcome.OTHER, new RoutesPush(1, "invalid").outcome());
        assertEquals(RoutesPush.Outcome.OTHER, new RoutesPush(-1, "timed out").outcome());
        RoutesPush leftOver = new RoutesPush(3, "f.yaml: valid, version chaos9-7, 3 routes, 1 upstreams\n"
                + "loomgate: conflict: another push (version 'chaos9-7') is in progress or was left unfinished; retry, "
                + "or use --force to take over");
        assertTrue(leftOver.ownPushLeftUnfinished("chaos9-7"));
        assertFalse(leftOver.ownPushLeftUnfinished("chaos9-8"), "someone else's unfinished push is not ours to take");
        assertTrue(leftOver.reason().startsWith("exit 3: loomgate: conflict: another push"), leftOver.reason());
    }

    @Test
    void plainPostsReachingANodeWhileItsProcessWasDyingAreBoundedButNotThoseAfterItWasGone() {
        long kill = T0 + 5000;
        long gone = kill + 30;
        List<RequestRecord> records = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            records.add(ok(RequestKind.GET, T0 + i * 100, "gw" + (i % 3 + 1)));
        }
        // sent 20 ms after the signal: the dying node's kernel accepted it, then reset it when the listener closed
        records.add(reset(RequestKind.POST, kill + 20, 12));
        Criterion atSignal = ScenarioCriteria.nonIdempotentFailuresBoundedByInFlight(records, "gw2", kill);
        assertFalse(atSignal.pass(), atSignal.toString());
        Criterion dying = ScenarioCriteria.nonIdempotentFailuresBoundedByInFlight(records, "gw2", kill, gone);
        assertTrue(dying.pass(), dying.toString());
        assertTrue(dying.description().contains("(1; at the signal alone: 0)"), dying.description());
        // one sent after the process was gone must have been routed elsewhere: its failure fails the criterion
        records.add(reset(RequestKind.POST, gone + 5, 3));
        Criterion after = ScenarioCriteria.nonIdempotentFailuresBoundedByInFlight(records, "gw2", kill, gone);
        assertFalse(after.pass(), after.toString());
        assertEquals(2, after.measured());
        assertEquals("<= 1 requests", after.goal());
    }
}
