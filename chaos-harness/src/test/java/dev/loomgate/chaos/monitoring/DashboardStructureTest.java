package dev.loomgate.chaos.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.loomgate.chaos.cluster.ClusterSpec;
import dev.loomgate.chaos.monitoring.GrafanaDashboard.Panel;
import dev.loomgate.chaos.monitoring.GrafanaDashboard.Query;
import jakarta.json.JsonObject;

/**
 * The Grafana dashboard's JSON without Grafana (not installable here): Grafana 10/11 schema basics, the
 * datasource/node/route variables, unique ids, a grid without overlaps, every query bound to the datasource
 * variable and the node filter, and every metric documented in docs/OBSERVABILITY.md. That every metric
 * exists on a real node and every query returns data is DashboardQueriesTest's job (a whole cluster, make
 * test-dashboard).
 */
class DashboardStructureTest {
    private final GrafanaDashboard dashboard = load();

    private static GrafanaDashboard load() {
        try {
            return GrafanaDashboard.load();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void grafana10SchemaWithDatasourceNodeAndRouteVariables() {
        JsonObject json = dashboard.json();
        assertEquals("loomgate-cluster", json.getString("uid"));
        assertTrue(json.getInt("schemaVersion") >= 38, "Grafana 10 writes schemaVersion 38 and above");
        Map<String, JsonObject> vars = new java.util.LinkedHashMap<>();
        dashboard.variables().forEach(v -> vars.put(v.getString("name"), v));
        assertEquals(List.of("datasource", "node", "route"), List.copyOf(vars.keySet()));
        assertEquals("datasource", vars.get("datasource").getString("type"));
        assertEquals("prometheus", vars.get("datasource").getString("query"));
        for (String name : List.of("node", "route")) {
            JsonObject v = vars.get(name);
            assertEquals("query", v.getString("type"), name);
            assertEquals("${datasource}", v.getJsonObject("datasource").getString("uid"), name);
            assertEquals(name, GrafanaDashboard.labelValuesLabel(v.getString("definition")), name);
            assertTrue(v.getBoolean("includeAll") && v.getBoolean("multi"), name + ": All and several values");
            assertEquals(".*", v.getString("allValue"), name + ": All must be a regex for =~");
        }
    }

    @Test
    void panelIdsAndTitlesAreUniqueAndTheGridHasNoOverlaps() {
        Set<Integer> ids = new HashSet<>();
        Set<String> titles = new HashSet<>();
        List<Panel> placed = new ArrayList<>();
        for (Panel p : dashboard.panels()) {
            assertTrue(p.id() > 0 && ids.add(p.id()), "unique positive id: " + p.title() + " id " + p.id());
            assertFalse(p.title().isBlank(), "panel " + p.id() + " has a title");
            assertTrue(titles.add(p.title()), "unique title: " + p.title());
            assertTrue(p.x() >= 0 && p.y() >= 0 && p.w() >= 1 && p.h() >= 1 && p.x() + p.w() <= 24,
                    "grid position inside the 24 columns: " + p.title() + " " + p.json().get("gridPos"));
            if (p.row()) {
                assertTrue(p.x() == 0 && p.w() == 24 && p.h() == 1, "a row spans the width: " + p.title());
            }
            for (Panel other : placed) {
                boolean overlap = p.x() < other.x() + other.w() && other.x() < p.x() + p.w()
                        && p.y() < other.y() + other.h() && other.y() < p.y() + p.h();
                assertFalse(overlap, p.title() + " overlaps " + other.title());
            }
            placed.add(p);
        }
    }

    @Test
    void everyRowOfTheIssueIsThereWithPanels() {
        List<String> rows = dashboard.panels().stream().filter(Panel::row).map(Panel::title).toList();
        assertEquals(List.of("Traffic", "Latency", "Errors", "Upstreams", "Rate limits", "Redis", "Config", "Nodes",
                "HAProxy"), rows);
        // every row is followed by at least one panel before the next row
        List<Panel> all = dashboard.panels();
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).row()) {
                assertTrue(i + 1 < all.size() && !all.get(i + 1).row(), "row " + all.get(i).title() + " has panels");
            }
        }
    }

    @Test
    void everyQueryUsesTheDatasourceVariableTheNodeFilterAndTheRateInterval() {
        Pattern fixedRange = Pattern.compile("\\[\\d+[smhd]]");
        for (Panel p : dashboard.graphPanels()) {
            assertEquals("${datasource}", p.json().getJsonObject("datasource").getString("uid"), p.title());
            assertFalse(p.queries().isEmpty(), p.title() + " has queries");
            p.json().getJsonArray("targets").getValuesAs(JsonObject.class).forEach(t -> assertEquals("${datasource}",
                    t.getJsonObject("datasource").getString("uid"), p.title() + " target " + t.getString("refId")));
            for (Query q : p.queries()) {
                String where = p.title() + " " + q.refId() + ": " + q.expr();
                assertFalse(q.expr().isBlank(), where);
                assertFalse(fixedRange.matcher(q.expr()).find(), "ranges are $__rate_interval: " + where);
                Set<String> metrics = GrafanaDashboard.metricNames(q.expr());
                boolean gateway = metrics.stream().anyMatch(m -> !m.startsWith("haproxy_") && !m.startsWith("redis_"));
                if (gateway) {
                    assertTrue(q.expr().contains("node=~\"$node\""), "gateway series filtered by $node: " + where);
                }
                if (metrics.stream().anyMatch(m -> m.startsWith("redis_"))) {
                    // the gateway's own Redis metrics are loomgate_ratelimit_redis_*: redis_* is the exporter's
                    assertFalse(gateway, "exporter and gateway series in one query: " + where);
                    for (String m : metrics) {
                        assertEquals(occurrences(q.expr(), m), occurrences(q.expr(), m + "{job=\"redis\"}"),
                                "every redis_exporter series selected by {job=\"redis\"}: " + where);
                    }
                }
            }
        }
    }

    /**
     * The Redis row keeps the gateway's own view of Redis and adds redis_exporter's: up and role, replica link,
     * clients, memory, commands, keyspace hits/misses, replication offset lag.
     */
    @Test
    void theRedisRowHasTheGatewaysViewAndTheExportersPanels() {
        List<Panel> all = dashboard.panels();
        int row = all.indexOf(all.stream().filter(p -> p.row() && p.title().equals("Redis")).findFirst().orElseThrow());
        Set<String> metrics = new TreeSet<>();
        for (int i = row + 1; i < all.size() && !all.get(i).row(); i++) {
            all.get(i).queries().forEach(q -> metrics.addAll(GrafanaDashboard.metricNames(q.expr())));
        }
        assertTrue(metrics.containsAll(Set.of("loomgate_ratelimit_redis_duration_seconds_bucket",
                "loomgate_ratelimit_redis_errors_total", "loomgate_ratelimit_degraded_transitions_total")),
                "the gateway's own Redis panels stay: " + metrics);
        assertTrue(metrics.containsAll(Set.of("redis_up", "redis_instance_info", "redis_master_link_up",
                "redis_connected_clients", "redis_memory_used_bytes", "redis_commands_processed_total",
                "redis_keyspace_hits_total", "redis_keyspace_misses_total", "redis_master_repl_offset",
                "redis_connected_slave_offset_bytes")), "redis_exporter panels: " + metrics);
    }

    /** How often {@code selector} (a metric name, maybe with its label set) occurs as a whole word. */
    private static long occurrences(String expr, String selector) {
        return Pattern.compile("(?<![a-zA-Z0-9_:])" + Pattern.quote(selector) + "(?![a-zA-Z0-9_:])").matcher(expr)
                .results().count();
    }

    @Test
    void everyMetricTheDashboardUsesIsDocumented() throws Exception {
        String docs = Files.readString(ClusterSpec.findRepoRoot().resolve("docs/OBSERVABILITY.md"));
        Set<String> undocumented = new TreeSet<>();
        dashboard.metricsByPanel().forEach((panel, metrics) -> {
            for (String m : metrics) {
                String base = m.replaceFirst("_(bucket|count|sum)$", "");
                if (!docs.contains("`" + m + "`") && !docs.contains("`" + base + "`")) {
                    undocumented.add(m + " (" + panel + ")");
                }
            }
        });
        assertEquals(Set.of(), undocumented, "metrics missing from docs/OBSERVABILITY.md");
    }

    @Test
    void metricNamesAreTakenFromSelectorsOnly() {
        assertEquals(Set.of("loomgate_route_request_duration_seconds_bucket"), GrafanaDashboard.metricNames(
                "histogram_quantile(0.99, sum by (route, le) (rate(loomgate_route_request_duration_seconds_bucket"
                        + "{node=~\"$node\",route=~\"x\"}[$__rate_interval])))"));
        assertEquals(Set.of("a_total", "b_seconds"), GrafanaDashboard.metricNames(
                "sum(rate(a_total{code=\"5xx\"}[1m])) / sum without (le) (b_seconds) and on (node) time() > 14.4"));
        assertEquals("loomgate_ready{node=~\"$node\"}",
                GrafanaDashboard.labelValuesSelector("label_values(loomgate_ready{node=~\"$node\"}, node)"));
    }
}
