package dev.loomgate.chaos.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import dev.loomgate.chaos.cluster.SagaDemo;
import dev.loomgate.chaos.report.FaultEvent;
import dev.loomgate.chaos.report.StateTimeline;
import dev.loomgate.chaos.report.SvgStateChart;
import org.junit.jupiter.api.Test;

/** The saga scenario's pure parts: the invariant, the state samples, the kill-to-final figure, the demo routes. */
class SagaScenarioPartsTest {

    private static SagaChecks.Participant participant(String name, Map<String, String> holdings, long dup) {
        return new SagaChecks.Participant(name, holdings, 0, dup);
    }

    @Test
    void participantStateIsParsedFromItsGetState() {
        SagaChecks.Participant p = SagaChecks.Participant.parse("{\"name\":\"stock\",\"holdings\":{\"s1\":\"RESERVED\","
                + "\"s2\":\"EMPTY_CANCELLED\"},\"requests\":9,\"redeliveries\":2,\"duplicateEffects\":1,"
                + "\"suspensionsRefused\":0,\"emptyRollbacks\":1}");
        assertEquals("stock", p.name());
        assertEquals(Map.of("s1", "RESERVED", "s2", "EMPTY_CANCELLED"), p.holdings());
        assertEquals(2, p.redeliveries());
        assertEquals(1, p.duplicateEffects());
    }

    @Test
    void invariantFindsEveryKindOfInconsistentSaga() {
        Map<String, String> states = Map.of("ok1", "completed", "ok2", "compensated", "half", "completed",
                "leak", "compensated", "open", "running");
        List<SagaChecks.Participant> ps = List.of(
                participant("orders", Map.of("ok1", "RESERVED", "ok2", "CANCELLED", "half", "RESERVED",
                        "leak", "RESERVED", "orphan", "RESERVED", "old", "RESERVED", "open", "RESERVED"), 0),
                participant("stock", Map.of("ok1", "RESERVED", "ok2", "EMPTY_CANCELLED", "half", "CANCELLED"), 0),
                participant("payments", Map.of("ok1", "CONFIRMED"), 0));
        Map<String, List<String>> v = SagaChecks.violations(states, ps, Set.of("old"));
        assertEquals(Set.of("half", "leak", "orphan"), v.keySet(), v.toString());
        assertTrue(v.get("half").contains("completed but stock holds CANCELLED"), v.toString());
        assertTrue(v.get("half").contains("completed but payments holds nothing"), v.toString());
        assertEquals(List.of("compensated but orders still holds RESERVED"), v.get("leak"));
        assertEquals(List.of("orders holds RESERVED for a saga the log does not show"), v.get("orphan"));
        // a consistent run has none
        assertEquals(Map.of(), SagaChecks.violations(Map.of("ok1", "completed"), List.of(
                participant("orders", Map.of("ok1", "RESERVED"), 0)), Set.of()));
    }

    @Test
    void duplicatesAndRedeliveriesAreCountedSinceTheRunStarted() {
        List<SagaChecks.Participant> before = List.of(new SagaChecks.Participant("orders", Map.of(), 3, 1));
        List<SagaChecks.Participant> after = List.of(new SagaChecks.Participant("orders", Map.of(), 10, 1));
        assertEquals(0, SagaChecks.duplicateEffects(before, after));
        assertEquals(7, SagaChecks.redeliveries(before, after));
        assertEquals(2, SagaChecks.duplicateEffects(before,
                List.of(new SagaChecks.Participant("orders", Map.of(), 3, 3))));
    }

    @Test
    void adminListIsMergedForwardOnlyAndSampledPerState() {
        Map<String, SagaChecks.Seen> known = new HashMap<>();
        SagaChecks.merge("{\"sagas\":[{\"id\":\"a\",\"route\":\"place-order\",\"state\":\"running\",\"created\":100,"
                + "\"updated\":110},{\"id\":\"b\",\"route\":\"place-order\",\"state\":\"completed\",\"created\":100,"
                + "\"updated\":150},{\"id\":\"c\",\"route\":\"book\",\"state\":\"running\",\"created\":100,\"updated\":1},"
                + "{\"id\":\"old\",\"route\":\"place-order\",\"state\":\"stuck\",\"created\":5,\"updated\":6}],"
                + "\"count\":4}", "place-order", 50, known);
        assertEquals(Set.of("a", "b"), known.keySet(), "other routes and sagas created before the run left out");
        // a later read from a node that answers with an older record does not move a saga back
        SagaChecks.merge("{\"sagas\":[{\"id\":\"b\",\"route\":\"place-order\",\"state\":\"running\",\"created\":100,"
                + "\"updated\":120},{\"id\":\"a\",\"route\":\"place-order\",\"state\":\"compensating\",\"created\":100,"
                + "\"updated\":2000}]}", "place-order", 50, known);
        assertEquals("completed", known.get("b").state());
        assertEquals("compensating", known.get("a").state());
        StateTimeline.Sample s = SagaChecks.sample(2100, known);
        assertEquals(1, s.count("compensating"));
        assertEquals(1, s.count("completed"));
        assertEquals(0, s.count("running"));
        assertEquals(List.of("a"), SagaChecks.notFinal(known));
    }

    @Test
    void killToFinalIsTheSlowestSagaOpenAtTheKillAndEmptyWhileOneIsOpen() {
        Map<String, SagaChecks.Seen> known = Map.of("a", new SagaChecks.Seen("completed", 1500),
                "b", new SagaChecks.Seen("compensated", 4200), "c", new SagaChecks.Seen("running", 900));
        assertEquals(OptionalLong.of(3200), SagaChecks.maxKillToFinal(Set.of("a", "b"), known, 1000));
        assertEquals(OptionalLong.empty(), SagaChecks.maxKillToFinal(Set.of("a", "c"), known, 1000));
        assertEquals(OptionalLong.empty(), SagaChecks.maxKillToFinal(Set.of("a", "x"), known, 1000));
        assertEquals(OptionalLong.empty(), SagaChecks.maxKillToFinal(Set.of(), known, 1000));
    }

    @Test
    void stateTimelineChartDrawsEveryStateAndTheKill() {
        StateTimeline t = SagaChecks.timeline(List.of(
                new StateTimeline.Sample(1000, Map.of("running", 3)),
                new StateTimeline.Sample(1250, Map.of("running", 5, "completed", 2)),
                new StateTimeline.Sample(1500, Map.of("running", 1, "compensating", 2, "completed", 6))));
        assertEquals(5, t.max("running"));
        assertEquals(Map.of("running", 1, "compensating", 2, "confirming", 0, "stuck", 0, "completed", 6,
                "compensated", 0, "aborted", 0), t.last());
        String svg = SvgStateChart.render(t, List.of(FaultEvent.instant("kill -9", "gw2", 1200)), 900, 1600);
        assertTrue(svg.startsWith("<svg") && svg.endsWith("</svg>\n"), svg);
        for (String state : List.of("running (max 5)", "compensating (max 2)", "completed (max 6)", "stuck (max 0)")) {
            assertTrue(svg.contains(state), state);
        }
        assertTrue(svg.contains("kill -9"), "the fault line is drawn");
        assertThrows(IllegalArgumentException.class, () -> new StateTimeline("x", List.of(), List.of(), List.of(
                new StateTimeline.Sample(2, Map.of()), new StateTimeline.Sample(1, Map.of()))));
    }

    @Test
    void htmlReportShowsTheStateTimelineOfAScenarioThatHasOne() {
        StateTimeline t = SagaChecks.timeline(List.of(new StateTimeline.Sample(1000, Map.of("running", 2)),
                new StateTimeline.Sample(1250, Map.of("completed", 2))));
        var plain = dev.loomgate.chaos.report.ScenarioResult.of("s", "d", List.of(), List.of(), List.of(), List.of());
        var withStates = plain.withStates(List.of(t));
        assertEquals(List.of(t), withStates.states());
        String html = dev.loomgate.chaos.report.HtmlReport.render(new dev.loomgate.chaos.report.RunReport("t",
                java.time.Instant.ofEpochMilli(1000), "loopback", "box", List.of(withStates, plain)),
                java.nio.file.Path.of("."));
        assertEquals(1, html.split("Sagas per state", -1).length - 1, "one state chart: only the scenario with one");
        assertTrue(html.contains("at the end: <code>running</code> 0 · "), html);
        assertTrue(html.contains("<code>completed</code> 2"), html);
    }

    @Test
    void demoRoutesGetTheParticipantsAndTheSagaRoutesAndTheScenarioReadsTheLease() throws IOException {
        String demo;
        try (InputStream in = getClass().getResourceAsStream("/dev/loomgate/chaos/cluster/demo-routes.yaml")) {
            demo = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, String> addresses = new java.util.LinkedHashMap<>();
        addresses.put("orders", "127.0.0.1:19101");
        addresses.put("stock", "127.0.0.1:19102");
        addresses.put("payments", "127.0.0.1:19103");
        String doc = SagaDemo.withSagaRoutes(demo, addresses);
        assertTrue(doc.contains("upstreams:\n  - { name: orders, endpoints: [ 127.0.0.1:19101 ] }\n"
                + "  - { name: stock, endpoints: [ 127.0.0.1:19102 ] }\n"
                + "  - { name: payments, endpoints: [ 127.0.0.1:19103 ] }\n  - name: demo\n"), doc);
        assertTrue(doc.contains("routes:\n  - id: place-order\n    upstream: orders\n"), doc);
        assertTrue(doc.contains("  - id: saga-status\n    upstream: orders\n    match: { path-prefix: /sagas/ }\n"
                + "    saga-status: true\n  - id: limited\n"), doc);
        assertTrue(doc.contains("kind: pivot"));
        assertEquals(Duration.ofSeconds(3), SagaTraffic.lease(doc));
        assertEquals(Duration.ofMillis(800), SagaTraffic.lease("routes:\n  - id: place-order\n    saga:\n      lease: 800ms\n"));
        assertEquals(Duration.ofSeconds(10), SagaTraffic.lease(demo), "the saga default when no lease is given");
        assertThrows(IllegalArgumentException.class, () -> SagaDemo.withSagaRoutes("routes:\n", addresses));
        assertEquals("{\"item\":\"chaos-4\",\"qty\":1,\"rejectPayment\":true}", SagaTraffic.body(4));
        assertEquals("{\"item\":\"chaos-5\",\"qty\":1,\"rejectPayment\":false}", SagaTraffic.body(5));
    }
}
