package dev.loomgate.chaos.report;

import dev.loomgate.chaos.load.ErrorClass;
import dev.loomgate.chaos.load.RequestKind;
import dev.loomgate.chaos.load.RequestRecord;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportEvaluationTest {
    private static final long T0 = 1_700_000_000_000L;
    private static long seq;

    private static RequestRecord ok(RequestKind kind, long startMillis, double latencyMillis, String node) {
        return rec(kind, startMillis, latencyMillis, 200, ErrorClass.NONE, Optional.of(node));
    }

    private static RequestRecord rec(RequestKind kind, long startMillis, double latencyMillis, int status,
                                     ErrorClass error, Optional<String> node) {
        long start = startMillis * 1_000_000L;
        return new RequestRecord(seq++, kind, start, start, Math.round(latencyMillis * 1e6), status, error, node,
                Optional.empty(), false, false);
    }

    @Test
    void bucketsCountRatesFailuresAndPercentiles() {
        List<RequestRecord> records = new ArrayList<>();
        // bucket 0: 100 responses with latencies 1..100 ms on two nodes
        for (int i = 1; i <= 100; i++) {
            records.add(ok(RequestKind.GET, T0 + (i % 100), i, i % 4 == 0 ? "gw2" : "gw1"));
        }
        // bucket 2 (200..299 ms): a 429, a 503, a reset, a refused connect, a drop, a success
        records.add(rec(RequestKind.GET, T0 + 210, 1, 429, ErrorClass.NONE, Optional.of("gw1")));
        records.add(rec(RequestKind.POST, T0 + 220, 2, 503, ErrorClass.NONE, Optional.of("gw2")));
        records.add(rec(RequestKind.POST, T0 + 230, 3, 0, ErrorClass.RESET, Optional.empty()));
        records.add(rec(RequestKind.GET, T0 + 240, 0.1, 0, ErrorClass.CONNECT_REFUSED, Optional.empty()));
        records.add(rec(RequestKind.GET, T0 + 250, 0, 0, ErrorClass.DROPPED_IN_FLIGHT_CAP, Optional.empty()));
        records.add(ok(RequestKind.GET, T0 + 299, 8, "gw1"));

        Timeline t = Timeline.of(records, List.of());
        assertEquals(T0, t.originMillis());
        assertEquals(3, t.buckets().size());
        assertEquals(List.of("gw1", "gw2", Timeline.NO_NODE), t.nodes());

        Timeline.Bucket b0 = t.buckets().get(0);
        assertEquals(100, b0.requests());
        assertEquals(1000.0, b0.requestsPerSecond(100));
        assertEquals(50.0, b0.p50Millis(), 1e-9);
        assertEquals(99.0, b0.p99Millis(), 1e-9);
        assertEquals(Map.of("gw1", 75, "gw2", 25), b0.perNode());

        Timeline.Bucket b1 = t.buckets().get(1);
        assertEquals(0, b1.requests());
        assertFalse(b1.hasLatency(), "empty bucket has no latency");

        Timeline.Bucket b2 = t.buckets().get(2);
        assertEquals(6, b2.requests());
        assertEquals(1, b2.rejected(), "429 is a rejection");
        assertEquals(3, b2.failed(), "503, reset and refused are failures");
        assertEquals(1, b2.dropped());
        assertEquals(1, b2.succeeded());
        assertEquals(30.0, b2.failedPerSecond(100), 1e-9);
        assertEquals(8.0, b2.p99Millis(), 1e-9, "percentiles only over requests that got a status");

        // faults widen the timeline
        Timeline withFault = Timeline.of(records, List.of(FaultEvent.instant("kill -9", "gw2", T0 + 750)));
        assertEquals(8, withFault.buckets().size());
    }

    @Test
    void inFlightAtAnInstant() {
        List<RequestRecord> records = List.of(
                ok(RequestKind.GET, T0, 100, "gw1"),           // [0, 100)
                ok(RequestKind.GET, T0 + 50, 10, "gw2"),       // [50, 60)
                ok(RequestKind.POST, T0 + 90, 20, "gw2"),      // [90, 110)
                rec(RequestKind.POST, T0 + 95, 30, 0, ErrorClass.RESET, Optional.empty()), // [95, 125)
                rec(RequestKind.GET, T0 + 99, 0, 0, ErrorClass.DROPPED_IN_FLIGHT_CAP, Optional.empty()));
        assertEquals(2, Figures.inFlightAt(records, T0 + 55));
        assertEquals(3, Figures.inFlightAt(records, T0 + 99), "drops are never in flight");
        assertEquals(2, Figures.inFlightAt(records, T0 + 100), "end is exclusive, start inclusive");
        assertEquals(1, Figures.inFlightOnNode(records, "gw2", T0 + 100));
        assertEquals(0, Figures.inFlightOnNode(records, "gw1", T0 + 100));
        assertEquals(1, Figures.inFlightUnattributed(records, T0 + 100));
        assertEquals(0, Figures.inFlightAt(records, T0 + 125));
        assertTrue(records.get(1).inFlightAt((T0 + 50) * 1_000_000L));
        assertFalse(records.get(1).inFlightAt((T0 + 60) * 1_000_000L));
    }

    @Test
    void windowFailuresAndLatencyFigures() {
        List<RequestRecord> records = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            long start = T0 + i * 10L;                         // 3 s at 100 req/s
            double latency = start >= T0 + 2_000 ? 12 : 2;     // slower in the last second
            RequestKind kind = RequestKind.values()[i % 3];
            records.add(ok(kind, start, latency, "gw" + (i % 3 + 1)));
        }
        FaultEvent fault = new FaultEvent("SIGSTOP", "redis", T0 + 1_000, T0 + 1_500);
        records.add(rec(RequestKind.GET, T0 + 1_005, 40, 0, ErrorClass.READ_TIMEOUT, Optional.empty()));
        records.add(rec(RequestKind.POST, T0 + 1_100, 5, 502, ErrorClass.NONE, Optional.of("gw2")));
        records.add(rec(RequestKind.POST_IDEMPOTENT, T0 + 1_400, 1, 0, ErrorClass.RESET, Optional.empty()));
        records.add(rec(RequestKind.POST, T0 + 2_500, 1, 0, ErrorClass.RESET, Optional.empty()));
        records.add(rec(RequestKind.GET, T0 + 2_600, 1, 429, ErrorClass.NONE, Optional.of("gw1")));

        Window around = Window.around(fault, 0, 500);          // [1000, 2000)
        assertEquals(3, Figures.failed(records, around));
        assertEquals(2, Figures.failedIdempotent(records, around));
        assertEquals(1, Figures.failedNonIdempotent(records, around));
        assertEquals(Map.of(RequestKind.GET, 1L, RequestKind.POST_IDEMPOTENT, 1L, RequestKind.POST, 1L),
                Figures.failedByKind(records, around));
        assertEquals(1, Figures.failedOutside(records, around), "the reset at 2.5 s; the 429 is no failure");
        assertEquals(1, Figures.serverErrors(records, Window.all()));
        assertEquals(1, Figures.status(records, Window.all(), 429));

        // completion times: timeout ends at 1045, 502 at 1105, reset at 1401, late reset at 2501
        assertEquals(45, Figures.firstFailureAfter(records, fault.startMillis()).orElseThrow());
        assertEquals(1_501, Figures.lastFailureAfter(records, fault.startMillis()).orElseThrow());
        assertTrue(Figures.firstFailureAfter(records, T0 + 3_000).isEmpty());

        Window baseline = new Window(T0, T0 + 1_000);
        Window late = new Window(T0 + 2_000, T0 + 3_000);
        assertEquals(2.0, Figures.p99(records, baseline).orElseThrow(), 1e-9);
        assertEquals(12.0, Figures.latencyPercentile(records, late, 0.5).orElseThrow(), 1e-9);
        assertEquals(10.0, Figures.p99Increase(records, late, baseline).orElseThrow(), 1e-9);
        assertTrue(Figures.p99(records, new Window(T0 - 500, T0)).isEmpty());

        assertEquals(980, Figures.lastServedIn(records, "gw3", baseline).orElseThrow(), "gw3 took i=98 at 980 ms");
        assertTrue(Figures.lastServedIn(records, "gw9", Window.all()).isEmpty());
    }

    @Test
    void criteriaScenariosAndWriters() throws Exception {
        Criterion zero = Criterion.atMost("failed idempotent", "none", 0, "requests", 0);
        Criterion slow = Criterion.lessThan("marked down", "fast", 1_700, "ms", 1_500);
        Criterion unknown = Criterion.notMeasured("p99", "no samples", "ms", "<= 1 ms", "no requests");
        assertTrue(zero.pass());
        assertFalse(slow.pass());
        assertFalse(unknown.pass(), "a figure that could not be measured fails");
        assertEquals("<= 0 requests", zero.goal());
        assertEquals("1700 ms", slow.measuredText());
        assertEquals("n/a", unknown.measuredText());
        assertTrue(Criterion.atLeast("ok", "", 0.999, "", 0.99).pass());
        assertEquals("1.25", Criterion.format(1.25));

        List<RequestRecord> records = List.of(ok(RequestKind.GET, T0, 2, "gw1"),
                rec(RequestKind.POST, T0 + 10, 1, 0, ErrorClass.RESET, Optional.empty()));
        ScenarioResult good = ScenarioResult.of("good", "d", records, List.of(), List.of(zero), List.of());
        ScenarioResult bad = ScenarioResult.of("bad", "d", records, List.of(FaultEvent.instant("kill -9", "gw1", T0 + 5)),
                List.of(zero, slow, unknown), List.of(new LogLink("gw1", Path.of("/tmp/gw1.log"))));
        ScenarioResult empty = ScenarioResult.of("empty", "d", records, List.of(), List.of(), List.of());
        assertTrue(good.passed());
        assertFalse(bad.passed());
        assertFalse(empty.passed(), "no criteria proves nothing");
        assertEquals(1, good.summary().failed());
        assertEquals(Map.of("200", 1L, "reset", 1L), good.summary().byOutcome());

        RunReport run = new RunReport("t", Instant.ofEpochMilli(T0), "loopback", "box", List.of(good, bad));
        assertFalse(run.passed());
        assertEquals(2, run.failedCriteria());
        assertTrue(new RunReport("t", Instant.ofEpochMilli(T0), "m", "x", List.of(good)).passed());

        String table = ConsoleTable.render(run);
        assertTrue(table.contains("criterion") && table.contains("measured") && table.contains("goal"), table);
        assertTrue(table.lines().anyMatch(l -> l.contains("marked down") && l.contains("1700 ms")
                && l.contains("< 1500 ms") && l.endsWith("FAIL")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("good") && l.endsWith("PASS")), table);
        assertTrue(table.endsWith("FAIL: 2 failed criteria in 2 scenarios\n"), table);

        Path dir = Path.of("/tmp/report");
        JsonObject json = Json.createReader(new StringReader(SummaryJson.render(run, dir))).readObject();
        assertFalse(json.getBoolean("passed"));
        JsonObject badJson = json.getJsonArray("scenarios").getJsonObject(1);
        assertEquals("bad", badJson.getString("name"));
        assertEquals(1700, badJson.getJsonArray("criteria").getJsonObject(1).getJsonNumber("measured").intValue());
        assertTrue(badJson.getJsonArray("criteria").getJsonObject(2).isNull("measured"));
        assertEquals(1, badJson.getJsonObject("summary").getInt("failed"));
        assertEquals(T0 + 5, badJson.getJsonArray("faults").getJsonObject(0).getJsonNumber("start_ms").longValue());
        assertEquals("file:///tmp/gw1.log", badJson.getJsonArray("logs").getJsonObject(0).getString("href"));
        assertEquals(2, badJson.getJsonObject("timeline").getJsonArray("requests").getInt(0));

        String html = HtmlReport.render(run, dir);
        assertTrue(html.contains("<svg") && html.contains("kill -9 gw1"), "chart with fault label");
        // FAIL badges: run title, "bad" in the nav and its heading, its two failed criteria
        assertEquals(5, html.split("badge fail", -1).length - 1);
        assertEquals(2, html.split("<tr class=\"fail\">", -1).length - 1);
        assertTrue(html.contains("href=\"file:///tmp/gw1.log\""), "log link");
    }
}
