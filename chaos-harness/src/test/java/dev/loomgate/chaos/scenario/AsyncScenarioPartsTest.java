package dev.loomgate.chaos.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

/** The async scenario's routes variant and its verdict on accepted, lost and unfinished jobs. */
class AsyncScenarioPartsTest {
    @Test
    void theAsyncRouteIsAddedToTheDemoRoutesAsARouteOfTheirList() throws IOException {
        String demo;
        try (InputStream in = getClass().getResourceAsStream("/dev/loomgate/chaos/cluster/demo-routes.yaml")) {
            demo = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String doc = AsyncJobs.withAsyncRoute(demo, "demo");
        int routes = doc.indexOf("\nroutes:\n");
        int async = doc.indexOf("  - id: chaos-async\n");
        assertTrue(routes >= 0 && async == routes + "\nroutes:\n".length(), doc);
        assertTrue(doc.contains("    upstream: demo\n    match: { path-prefix: /chaos-async }\n    async: {"), doc);
        assertTrue(doc.contains("replicas: 1"), "the durable setting: 202 only once a replica has the job");
        assertTrue(doc.contains("  - id: limited\n"), "the other routes stay");
        assertEquals(demo.length(), doc.replace(doc.substring(async, doc.indexOf("  - id: limited")), "").length(),
                "nothing else changed");
        assertThrows(IllegalArgumentException.class, () -> AsyncJobs.withAsyncRoute("upstreams: []\n", "demo"));
    }

    private static AsyncJobs.Submission sub(long seq, long at, int status) {
        return new AsyncJobs.Submission(seq, at, status, status == 202 ? Optional.of("j" + seq) : Optional.empty());
    }

    @Test
    void verdictSplitsLostJobsAtTheRedisKillAndMeasuresTheWindow() {
        List<AsyncJobs.Submission> subs = List.of(sub(1, 900, 202), sub(2, 950, 202), sub(3, 1000, 503),
                sub(4, 1010, 202), sub(5, 1040, 202), sub(6, 1100, 202), sub(7, 1200, 202), sub(8, 1300, 0));
        Map<String, AsyncJobs.Fate> fates = Map.of("j1", AsyncJobs.Fate.FINISHED, "j2", AsyncJobs.Fate.LOST,
                "j4", AsyncJobs.Fate.LOST, "j5", AsyncJobs.Fate.FINISHED, "j6", AsyncJobs.Fate.LOST);
        AsyncJobs.Verdict v = AsyncJobs.verdict(subs, fates, 1000);
        assertEquals(6, v.accepted(), "503s and no-answers were never promised");
        assertEquals(1, v.lostBefore());
        assertEquals(2, v.lostAfter());
        assertEquals(1, v.pending(), "j7 has no fate: not final");
        assertEquals(OptionalLong.of(10), v.firstLost());
        assertEquals(OptionalLong.of(100), v.lastLost());
        assertEquals("90 ms (jobs submitted from +10 to +100 ms around the Redis kill)", v.window());
        AsyncJobs.Verdict clean = AsyncJobs.verdict(List.of(sub(1, 5, 202)), Map.of("j1", AsyncJobs.Fate.FINISHED), 3);
        assertEquals("none", clean.window());
        assertEquals(0, clean.lostAfter() + clean.lostBefore() + clean.pending());
    }

    @Test
    void statusAnswersTellTheJobsFate() {
        assertEquals(AsyncJobs.Fate.LOST, AsyncJobs.fate(new HttpResult(404, Map.of(), "{}")));
        assertEquals(AsyncJobs.Fate.FINISHED, AsyncJobs.fate(new HttpResult(200,
                Map.of("loomgate-job-state", "succeeded"), "ok")));
        assertEquals(AsyncJobs.Fate.FINISHED, AsyncJobs.fate(new HttpResult(502,
                Map.of("loomgate-job-state", "failed"), "")));
        assertEquals(AsyncJobs.Fate.FINISHED, AsyncJobs.fate(new HttpResult(200, Map.of(), "{\"state\":\"dead\"}")));
        assertEquals(AsyncJobs.Fate.PENDING, AsyncJobs.fate(new HttpResult(200, Map.of(), "{\"state\":\"running\"}")));
        assertEquals(AsyncJobs.Fate.PENDING, AsyncJobs.fate(new HttpResult(503, Map.of(), "{}")));
    }
}
