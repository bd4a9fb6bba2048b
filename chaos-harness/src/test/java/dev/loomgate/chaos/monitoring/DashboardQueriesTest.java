package dev.loomgate.chaos.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.loomgate.chaos.cluster.ClusterSpec;
import dev.loomgate.chaos.cluster.ClusterTestTools;
import dev.loomgate.chaos.cluster.HeadlessChromium;
import dev.loomgate.chaos.cluster.HttpResponse;
import dev.loomgate.chaos.cluster.LocalCluster;
import dev.loomgate.chaos.cluster.ManagedProcess;
import dev.loomgate.chaos.monitoring.GrafanaDashboard.Panel;
import dev.loomgate.chaos.monitoring.GrafanaDashboard.Query;
import dev.loomgate.testsupport.Await;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;

/**
 * Proof that the Grafana dashboard shows data: the loopback cluster with its real Prometheus (and the alert
 * rules and Alertmanager it is wired to), traffic with 2xx, 503s that are retried, 429s, a circuit breaker
 * opening and a retry budget running out; then every panel's query, with the variables at All and
 * {@code $__rate_interval} as Grafana would compute it, must return series from Prometheus's HTTP API. Every
 * metric the dashboard uses must be on a node's /metrics, HAProxy's exporter or a redis_exporter's /metrics (one
 * per Redis, job redis). Prometheus's own graph page then draws the requests-per-route panel's query in headless
 * Chromium: the screenshot ({@code target/dashboard/dashboard-requests.png}) is the README's. Last, a node is
 * killed and the node-down alert must reach the cluster's Alertmanager within its bound. About 2 min: tag slow,
 * {@code make test-dashboard}.
 */
@Tag("slow")
class DashboardQueriesTest {
    /** Grafana's $__rate_interval: at least 4 scrape intervals (2 s here); wide enough for two samples. */
    private static final String RATE_INTERVAL = "30s";
    private static final Pattern SAMPLE_NAME = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

    private final List<String> log = new CopyOnWriteArrayList<>();

    @Test
    void everyPanelQueryReturnsDataFromTheClustersPrometheus() throws Exception {
        ClusterSpec spec = ClusterSpec.loopback(ClusterSpec.findRepoRoot()).withPortOffset(ClusterTestTools.freeOffset());
        ClusterTestTools.assumeTools(spec, "haproxy", "redis-server", "redis-sentinel", "prometheus",
                "prometheus-alertmanager", "ansible-playbook", "curl", "prometheus-redis-exporter", "chromium");
        GrafanaDashboard dashboard = GrafanaDashboard.load();
        Path work = Files.createTempDirectory(Path.of("/tmp"), "lgdash");
        try (LocalCluster cluster = LocalCluster.start(spec, work, this::progress)) {
            publishTestRoutes(cluster, work);
            driveTraffic(cluster);

            // every target scraped twice after the traffic: each counter it created has two samples in range
            double trafficEnd = System.currentTimeMillis() / 1000.0;
            Await.value("every target scraped twice after the traffic", Duration.ofSeconds(60),
                    () -> scalar(cluster, "min(timestamp(up))"), t -> t.orElse(0.0) > trafficEnd + 4.5);
            // and every target answered at least 3 scrapes within the rate window: a target that came up late (HAProxy
            // starts last) has failed scrapes there, which update up's timestamp but add no sample to its series
            Await.value("every target answered 3 scrapes within " + RATE_INTERVAL, Duration.ofSeconds(60),
                    () -> scalar(cluster, "min(sum_over_time(up[" + RATE_INTERVAL + "]))"), v -> v.orElse(0.0) >= 3);

            List<String> empty = new ArrayList<>();
            int evaluated = 0;
            for (Panel p : dashboard.graphPanels()) {
                for (Query q : p.queries()) {
                    String expr = GrafanaDashboard.substitute(q.expr(), RATE_INTERVAL);
                    JsonArray result = query(cluster, expr);
                    evaluated++;
                    if (result.isEmpty()) {
                        empty.add("panel '" + p.title() + "' query " + q.refId() + ": " + expr);
                    }
                }
            }
            for (JsonObject v : dashboard.variables()) {
                if (v.getString("type").equals("query")) {
                    String selector = GrafanaDashboard.substitute(
                            GrafanaDashboard.labelValuesSelector(v.getString("definition")), RATE_INTERVAL);
                    if (query(cluster, selector).isEmpty()) {
                        empty.add("variable " + v.getString("name") + ": " + selector);
                    }
                }
            }
            assertEquals(List.of(), empty, "dashboard queries without data (" + evaluated + " evaluated)");
            progress(evaluated + " panel queries returned data");

            assertEquals(Set.of("gw1", "gw2", "gw3"), labelValues(cluster, "loomgate_ready", "node"));
            assertTrue(labelValues(cluster, "loomgate_route_requests_total", "route")
                    .containsAll(Set.of("demo", "limited", "flaky")));

            assertEquals(Set.of("redis1", "redis2"), labelValues(cluster, "redis_up{job=\"redis\"}", "redis"),
                    "a redis_exporter per Redis, scraped as job redis");
            assertEquals(Set.of("master", "slave"), labelValues(cluster, "redis_instance_info{job=\"redis\"}", "role"));

            assertEveryMetricIsExposed(cluster, dashboard);
            screenshotRequestsByRoute(cluster, dashboard);
            assertRulesLoadedAndAlertmanagerConnected(cluster);
            assertNodeDownAlertReachesAlertmanager(cluster);
        } finally {
            deleteTree(work);
        }
    }

    private void publishTestRoutes(LocalCluster cluster, Path work) throws IOException {
        Path routes = work.resolve("dashboard-routes.yaml");
        try (InputStream in = DashboardQueriesTest.class.getResourceAsStream("dashboard-routes.yaml")) {
            Files.copy(java.util.Objects.requireNonNull(in, "dashboard-routes.yaml"), routes,
                    StandardCopyOption.REPLACE_EXISTING);
        }
        cluster.publishRoutes(routes);
        for (ManagedProcess g : cluster.gateways()) {
            Await.until(g.name() + " serves dashboard-test-1", Duration.ofSeconds(30),
                    () -> get(cluster, cluster.adminUrl(g) + "/metrics").body()
                            .contains("loomgate_config_info{version=\"dashboard-test-1\"} 1"));
        }
    }

    /**
     * Successes and 429s through HAProxy; the failing requests go to each node directly, so HAProxy's
     * observe-layer7 does not take a node out for a burst of 503s (that is not what this test is about).
     */
    private void driveTraffic(LocalCluster cluster) throws IOException {
        String front = cluster.frontUrl();
        for (int i = 0; i < 30; i++) {
            assertEquals(200, get(cluster, front + "/demo/" + i).status());
        }
        int limited = 0;
        for (int i = 0; i < 20; i++) {
            limited += get(cluster, front + "/limited").status() == 429 ? 1 : 0;
        }
        assertTrue(limited > 0, "20 requests in a burst to a 5/s route: some 429");
        for (ManagedProcess g : cluster.gateways()) {
            String node = cluster.nodeUrl(g);
            for (int i = 0; i < 6; i++) {
                get(cluster, node + "/status/503"); // route demo: retried, ejections by outlier detection
            }
            Set<Integer> flaky = new TreeSet<>();
            for (int i = 0; i < 8; i++) {
                flaky.add(get(cluster, node + "/flaky/status/503").status()); // budget 0: no retry; breaker opens
            }
            assertTrue(flaky.contains(503), g.name() + " /flaky answers: " + flaky);
            Await.until(g.name() + ": breaker of flaky open", Duration.ofSeconds(10), () -> get(cluster,
                    cluster.adminUrl(g) + "/metrics").body().contains(
                            "loomgate_circuit_breaker_state{upstream=\"flaky\",state=\"open\"} 1"));
            String circuitOpen = get(cluster, node + "/flaky/anything").body();
            assertTrue(circuitOpen.contains("circuit-open"), circuitOpen);
        }
    }

    private void assertEveryMetricIsExposed(LocalCluster cluster, GrafanaDashboard dashboard) {
        Set<String> exposed = new TreeSet<>();
        exposed.add("up"); // Prometheus's own per-target series
        for (ManagedProcess g : cluster.gateways()) {
            exposed.addAll(sampleNames(get(cluster, cluster.adminUrl(g) + "/metrics").body()));
        }
        for (String stats : cluster.statsUrls()) {
            exposed.addAll(sampleNames(get(cluster, stats.replaceFirst("/stats$", "/metrics")).body()));
        }
        assertEquals(2, cluster.redisExporterMetricsUrls().size(), "redis_exporters: " + cluster.redisExporterMetricsUrls());
        for (String exporter : cluster.redisExporterMetricsUrls()) {
            exposed.addAll(sampleNames(get(cluster, exporter).body()));
        }
        Set<String> missing = new TreeSet<>();
        dashboard.metricsByPanel().forEach((panel, metrics) -> metrics.stream().filter(m -> !exposed.contains(m))
                .forEach(m -> missing.add(m + " (" + panel + ")")));
        assertEquals(Set.of(), missing, "metrics neither on a node's /metrics, HAProxy's exporter nor a redis_exporter");
    }

    /**
     * One panel's data as a picture without Grafana: Prometheus's graph page (Debian ships the classic UI, drawn
     * with Rickshaw) for the "Requests per second by route" query over the last 2 min, in headless Chromium. The
     * burst of {@link #driveTraffic} fits between two scrapes (its counters appear with their final values: a rate
     * of 0 everywhere, which the page draws as nothing), so a steady trickle comes first. The screenshot waits until
     * the legend lists the routes and the graph has drawn a line per route on a y axis with ticks.
     */
    private void screenshotRequestsByRoute(LocalCluster cluster, GrafanaDashboard dashboard) throws Exception {
        Panel panel = dashboard.graphPanels().stream().filter(p -> p.title().equals("Requests per second by route"))
                .findFirst().orElseThrow();
        String expr = GrafanaDashboard.substitute(panel.queries().get(0).expr(), RATE_INTERVAL);
        driveSteadyTraffic(cluster, expr);
        String url = cluster.prometheusUrl() + "/graph?g0.expr=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)
                + "&g0.tab=0&g0.range_input=2m";
        Path shot = Path.of("target", "dashboard", "dashboard-requests.png").toAbsolutePath();
        try (HeadlessChromium browser = HeadlessChromium.start(1400, 900)) {
            browser.navigate(url);
            String drawn = "JSON.stringify({legend: Array.from(document.querySelectorAll('.legend li.line .label'))"
                    + ".map(e => e.textContent).join(' '), lines: document.querySelectorAll('.graph path.path').length,"
                    + " yTicks: document.querySelectorAll('.y_axis text').length})";
            Await.value("the graph's legend lists routes demo, limited and flaky, with a line each and y ticks",
                    Duration.ofSeconds(30), () -> browser.evaluate(drawn), shown -> {
                        JsonObject o = Json.createReader(new StringReader(shown)).readObject();
                        return List.of("demo", "limited", "flaky").stream()
                                .allMatch(r -> o.getString("legend").contains("route=\"" + r + "\""))
                                && o.getInt("lines") >= 3 && o.getInt("yTicks") >= 2;
                    });
            browser.screenshot(shot);
            browser.consoleErrors().forEach(e -> progress("graph page console: " + e));
        }
        assertTrue(Files.size(shot) > 10_000, "a screenshot with a graph in it: " + shot);
        progress("requests/s by route, drawn by Prometheus's graph page: " + shot);
    }

    private void assertRulesLoadedAndAlertmanagerConnected(LocalCluster cluster) {
        JsonObject rules = json(get(cluster, cluster.prometheusUrl() + "/api/v1/rules?type=alert"));
        Set<String> alerts = new TreeSet<>();
        rules.getJsonObject("data").getJsonArray("groups").getValuesAs(JsonObject.class).forEach(g ->
                g.getJsonArray("rules").getValuesAs(JsonObject.class).forEach(r -> alerts.add(r.getString("name"))));
        assertTrue(alerts.contains("LoomgateNodeDown") && alerts.size() >= 12, "alert rules loaded: " + alerts);
        Await.until("Prometheus discovered Alertmanager", Duration.ofSeconds(30), () -> !json(get(cluster,
                cluster.prometheusUrl() + "/api/v1/alertmanagers")).getJsonObject("data")
                .getJsonArray("activeAlertmanagers").isEmpty());
        assertEquals(200, get(cluster, cluster.alertmanagerUrl() + "/api/v2/status").status());
    }

    /** The cluster's work folder (configs, logs, Prometheus data): nothing of a run stays in /tmp. */
    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * kill -9 of a node: LoomgateNodeDown must reach Alertmanager no sooner than its for: (30 s) and within
     * for: + one scrape interval and timeout (2 s + 1 s) + one rule evaluation interval (5 s), plus 10 s for
     * a busy shared machine.
     */
    private void assertNodeDownAlertReachesAlertmanager(LocalCluster cluster) {
        ManagedProcess victim = cluster.gateways().get(2);
        long killed = System.nanoTime();
        victim.kill9();
        String url = cluster.alertmanagerUrl() + "/api/v2/alerts?filter="
                + URLEncoder.encode("alertname=\"LoomgateNodeDown\"", StandardCharsets.UTF_8);
        Await.until("LoomgateNodeDown for " + victim.host() + " in Alertmanager", Duration.ofSeconds(48),
                () -> alertsFor(get(cluster, url), victim.host()) > 0);
        long seconds = Duration.ofNanos(System.nanoTime() - killed).toSeconds();
        progress("LoomgateNodeDown for " + victim.host() + " reached Alertmanager " + seconds + " s after kill -9");
        assertTrue(seconds >= 30, "the alert waited its for: 30s, arrived after " + seconds + " s");
    }

    /**
     * One request to each of demo, limited and flaky per Prometheus scrape (flaky straight to a node: its breaker
     * is open, and HAProxy must not take the node out for the 503s), until the panel's query is above 0 for the
     * three routes after at least 8 scrapes with traffic.
     */
    private void driveSteadyTraffic(LocalCluster cluster, String expr) {
        String front = cluster.frontUrl();
        String flaky = cluster.nodeUrl(cluster.gateways().get(0)) + "/flaky/anything";
        double[] lastScrape = {0};
        int[] rounds = {0};
        Await.value("requests/s by route above 0 for demo, limited and flaky", Duration.ofSeconds(90), () -> {
            double scraped = scalar(cluster, "min(timestamp(up{job=\"loomgate-gateway\"}))").orElse(0.0);
            if (scraped > lastScrape[0]) {
                lastScrape[0] = scraped;
                rounds[0]++;
                get(cluster, front + "/demo/steady");
                get(cluster, front + "/limited");
                get(cluster, flaky);
            }
            Set<String> above = new TreeSet<>();
            if (rounds[0] >= 8) {
                query(cluster, expr + " > 0").getValuesAs(JsonObject.class)
                        .forEach(r -> above.add(r.getJsonObject("metric").getString("route", "")));
            }
            return above;
        }, above -> above.containsAll(Set.of("demo", "limited", "flaky")));
        progress("steady traffic for " + rounds[0] + " scrapes: requests/s above 0 for demo, limited and flaky");
    }

    private static long alertsFor(HttpResponse alerts, String node) {
        try (var reader = Json.createReader(new StringReader(alerts.body()))) {
            return reader.readArray().getValuesAs(JsonObject.class).stream()
                    .filter(a -> node.equals(a.getJsonObject("labels").getString("node", ""))
                            && "page".equals(a.getJsonObject("labels").getString("severity", "")))
                    .count();
        }
    }

    private static Set<String> sampleNames(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = SAMPLE_NAME.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private Set<String> labelValues(LocalCluster cluster, String metric, String label) {
        JsonArray values = json(get(cluster, cluster.prometheusUrl() + "/api/v1/label/" + label + "/values?match[]="
                + URLEncoder.encode(metric, StandardCharsets.UTF_8))).getJsonArray("data");
        Set<String> out = new TreeSet<>();
        values.getValuesAs(jakarta.json.JsonString.class).forEach(s -> out.add(s.getString()));
        return out;
    }

    private JsonArray query(LocalCluster cluster, String expr) {
        JsonObject r = json(get(cluster, cluster.prometheusUrl() + "/api/v1/query?query="
                + URLEncoder.encode(expr, StandardCharsets.UTF_8)));
        assertEquals("success", r.getString("status"), expr + ": " + r);
        return r.getJsonObject("data").getJsonArray("result");
    }

    private Optional<Double> scalar(LocalCluster cluster, String expr) {
        JsonArray result = query(cluster, expr);
        if (result.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Double.parseDouble(result.getJsonObject(0).getJsonArray("value").getString(1)));
    }

    private static JsonObject json(HttpResponse r) {
        try (var reader = Json.createReader(new StringReader(r.body()))) {
            return reader.readObject();
        }
    }

    private static HttpResponse get(LocalCluster cluster, String url) {
        try {
            return cluster.probes().get(Optional.empty(), url, Map.of(), Duration.ofSeconds(10));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(url, e);
        }
    }

    private void progress(String line) {
        log.add(line);
        System.out.println(line);
    }
}
