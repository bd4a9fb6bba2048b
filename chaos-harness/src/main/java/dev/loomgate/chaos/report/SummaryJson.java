package dev.loomgate.chaos.report;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.stream.JsonGenerator;

import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;

/** {@code summary.json}: every figure and verdict of a run, for CI and later comparison. */
public final class SummaryJson {
    private SummaryJson() {
    }

    public static JsonObject toJson(RunReport report, Path reportDir) {
        JsonArrayBuilder scenarios = Json.createArrayBuilder();
        for (ScenarioResult s : report.scenarios()) {
            scenarios.add(scenario(s, reportDir));
        }
        return Json.createObjectBuilder()
                .add("title", report.title())
                .add("started_at", report.startedAt().toString())
                .add("mode", report.mode())
                .add("machine", report.machine())
                .add("passed", report.passed())
                .add("failed_criteria", report.failedCriteria())
                .add("scenarios", scenarios)
                .build();
    }

    public static String render(RunReport report, Path reportDir) {
        StringWriter out = new StringWriter();
        try (var writer = Json.createWriterFactory(Map.of(JsonGenerator.PRETTY_PRINTING, true)).createWriter(out)) {
            writer.writeObject(toJson(report, reportDir));
        }
        return out.toString().strip() + "\n";
    }

    private static JsonObject scenario(ScenarioResult s, Path reportDir) {
        JsonArrayBuilder criteria = Json.createArrayBuilder();
        for (Criterion c : s.criteria()) {
            JsonObjectBuilder b = Json.createObjectBuilder()
                    .add("name", c.name())
                    .add("description", c.description())
                    .add("unit", c.unit())
                    .add("goal", c.goal())
                    .add("pass", c.pass());
            number(b, "measured", c.measured());
            criteria.add(b);
        }
        JsonArrayBuilder faults = Json.createArrayBuilder();
        for (FaultEvent f : s.faults()) {
            faults.add(Json.createObjectBuilder().add("name", f.name()).add("target", f.target())
                    .add("start_ms", f.startMillis()).add("end_ms", f.endMillis()));
        }
        JsonArrayBuilder logs = Json.createArrayBuilder();
        for (LogLink l : s.logs()) {
            logs.add(Json.createObjectBuilder().add("label", l.label()).add("path", l.path().toString())
                    .add("href", HtmlReport.href(l.path(), reportDir)));
        }
        RecordsSummary m = s.summary();
        JsonObjectBuilder summary = Json.createObjectBuilder()
                .add("total", m.total()).add("succeeded", m.succeeded()).add("failed", m.failed())
                .add("rejected", m.rejected()).add("dropped", m.dropped())
                .add("new_connections", m.newConnections()).add("stale_retried", m.staleRetried())
                .add("first_start_ms", m.firstStartMillis()).add("last_end_ms", m.lastEndMillis())
                .add("by_kind", counts(m.byKind())).add("failed_by_kind", counts(m.failedByKind()))
                .add("by_node", counts(m.byNode())).add("by_lb", counts(m.byLb()))
                .add("by_outcome", counts(m.byOutcome()));
        number(summary, "p50_ms", m.p50Millis());
        number(summary, "p99_ms", m.p99Millis());
        number(summary, "max_ms", m.maxMillis());
        return Json.createObjectBuilder()
                .add("name", s.name())
                .add("description", s.description())
                .add("passed", s.passed())
                .add("summary", summary)
                .add("faults", faults)
                .add("criteria", criteria)
                .add("timeline", timeline(s.timeline()))
                .add("logs", logs)
                .build();
    }

    /** Columnar, so a 10-minute run stays a few hundred KB. */
    private static JsonObject timeline(Timeline t) {
        JsonArrayBuilder requests = Json.createArrayBuilder();
        JsonArrayBuilder failed = Json.createArrayBuilder();
        JsonArrayBuilder rejected = Json.createArrayBuilder();
        JsonArrayBuilder p50 = Json.createArrayBuilder();
        JsonArrayBuilder p99 = Json.createArrayBuilder();
        JsonObjectBuilder perNode = Json.createObjectBuilder();
        for (Timeline.Bucket b : t.buckets()) {
            requests.add(b.requests());
            failed.add(b.failed());
            rejected.add(b.rejected());
            addNumber(p50, b.p50Millis());
            addNumber(p99, b.p99Millis());
        }
        for (String node : t.nodes()) {
            JsonArrayBuilder counts = Json.createArrayBuilder();
            t.buckets().forEach(b -> counts.add(b.perNode().getOrDefault(node, 0)));
            perNode.add(node, counts);
        }
        return Json.createObjectBuilder()
                .add("origin_ms", t.originMillis()).add("bucket_ms", t.bucketMillis())
                .add("requests", requests).add("failed", failed).add("rejected", rejected)
                .add("p50_ms", p50).add("p99_ms", p99).add("per_node", perNode)
                .build();
    }

    private static JsonObjectBuilder counts(Map<String, Long> counts) {
        JsonObjectBuilder b = Json.createObjectBuilder();
        counts.forEach(b::add);
        return b;
    }

    private static void number(JsonObjectBuilder b, String key, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            b.addNull(key);
        } else {
            b.add(key, Math.round(v * 1000) / 1000.0);
        }
    }

    private static void addNumber(JsonArrayBuilder b, double v) {
        if (Double.isNaN(v)) {
            b.addNull();
        } else {
            b.add(Math.round(v * 1000) / 1000.0);
        }
    }
}
