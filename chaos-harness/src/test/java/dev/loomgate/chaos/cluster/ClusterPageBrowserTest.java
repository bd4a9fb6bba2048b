package dev.loomgate.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.loomgate.testsupport.Await;
import jakarta.json.Json;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The cluster page ({@code /ui} on a node's admin port) in headless Chromium against the loopback
 * cluster (3 nodes, Consul stand-in, Redis, HAProxy; every admin API behind a token): it shows nothing
 * until the token is entered, loads with no console error (failed loads and CSP violations count),
 * lists the 3 nodes as ready, and shows a node drained through
 * {@code POST /admin/drain} as draining within a few seconds. Screenshots go to
 * {@code target/cluster-page*.png}. Tag {@code ui}: {@code make test-ui}.
 */
@Tag("ui")
class ClusterPageBrowserTest {
    private static final Duration DRAIN_VISIBLE = Duration.ofSeconds(5);
    private final List<String> log = new CopyOnWriteArrayList<>();

    @Test
    void pageShowsTheThreeNodesAndADrainWithoutConsoleErrors() throws Exception {
        ClusterSpec spec = ClusterSpec.loopback(ClusterSpec.findRepoRoot()).withPortOffset(ClusterTestTools.freeOffset());
        ClusterTestTools.assumeTools(spec, "haproxy", "redis-server", "redis-sentinel", "prometheus",
                "prometheus-alertmanager", "ansible-playbook", "curl", "chromium");
        Path work = Files.createTempDirectory(Path.of("/tmp"), "lgui");
        Path shots = Path.of("target").toAbsolutePath();
        String token = "ui-test-token-" + java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(8));
        try (LocalCluster cluster = LocalCluster.startWithAdminToken(spec, work, token, this::progress);
             HeadlessChromium browser = HeadlessChromium.start(1280, 1100)) {
            assertEquals(3, cluster.gateways().size());
            ManagedProcess served = cluster.gateways().get(0);
            ManagedProcess drained = cluster.gateways().get(2);
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 60; i++) { // traffic through the front: rates per route, a few 429s
                http.send(HttpRequest.newBuilder(URI.create(cluster.frontUrl() + (i % 4 == 0 ? "/limited" : "/")))
                        .build(), HttpResponse.BodyHandlers.discarding());
            }

            browser.navigate(cluster.adminUrl(served) + "/ui");
            assertEquals("false", browser.evaluate("document.getElementById('login').hidden"),
                    "the page asks for the token first and shows no data");
            assertEquals("0", browser.evaluate("document.querySelectorAll('#nodes tbody tr').length"));
            assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(cluster.adminUrl(served) + "/admin/cluster"))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode(), "the page's JSON needs the token");
            browser.evaluate("document.getElementById('token').value = '" + token + "'; "
                    + "document.getElementById('login-form').requestSubmit(); true");
            Map<String, String> states = Await.value("3 nodes ready on the page", Duration.ofSeconds(20),
                    () -> nodeStates(browser), m -> m.size() == 3 && m.values().stream().allMatch("ready"::equals));
            assertEquals(3, states.size(), states.toString());
            assertEquals(token, browser.evaluate("sessionStorage.getItem('loomgate-admin-token')"));
            assertEquals("", browser.evaluate("document.getElementById('token').value"), "the form forgets the token");
            assertTrue(!browser.evaluate("location.href").contains(token), "never in the URL");
            Await.until("routes with a rate", Duration.ofSeconds(15), () -> !browser.evaluate(
                    "[...document.querySelectorAll('#routes tbody tr td.num')].map(t => t.textContent).join()")
                    .matches("^(0\\.00,?|—,?)*$"));
            browser.screenshot(shots.resolve("cluster-page.png"));

            String drainedId = nodeIdOf(cluster, drained, token);
            HttpResponse<String> drain = http.send(HttpRequest.newBuilder(URI.create(cluster.adminUrl(drained) + "/admin/drain"))
                    .header("X-Loomgate-Admin", "1")
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"timeout\": \"60s\", \"quiet-period\": \"30s\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, drain.statusCode(), drain.body());
            long t0 = System.nanoTime();
            Await.until(drainedId + " shows as draining", DRAIN_VISIBLE,
                    () -> "draining".equals(nodeStates(browser).get(drainedId)));
            progress("drain visible on the page after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            browser.screenshot(shots.resolve("cluster-page-draining.png"));

            assertEquals(List.of(), browser.consoleErrors(), "console errors on the cluster page");
        } finally {
            try (var files = Files.walk(work)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** The console check can fail: a page that logs an error and violates its policy is caught. */
    @Test
    void consoleErrorsAndPolicyViolationsAreCaught() throws Exception {
        ClusterTestTools.assumeTools(ClusterSpec.loopback(ClusterSpec.findRepoRoot()), "chromium");
        try (HeadlessChromium browser = HeadlessChromium.start(800, 600)) {
            browser.navigate("data:text/html,<meta http-equiv='Content-Security-Policy' content=\"img-src 'none'\">"
                    + "<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw='><script>console.error('broken')</script>");
            Await.until("both errors reported", Duration.ofSeconds(10), () -> browser.consoleErrors().size() >= 2);
            assertTrue(browser.consoleErrors().stream().anyMatch(e -> e.contains("broken")), browser.consoleErrors().toString());
            assertTrue(browser.consoleErrors().stream().anyMatch(e -> e.contains("Content Security Policy")),
                    browser.consoleErrors().toString());
        }
    }

    /** Node id -> state as the page's nodes table shows it (data-node / data-state). */
    private static Map<String, String> nodeStates(HeadlessChromium browser) {
        String json = browser.evaluate("JSON.stringify([...document.querySelectorAll('#nodes tbody tr')]"
                + ".map(r => [r.dataset.node, r.dataset.state]))");
        Map<String, String> states = new TreeMap<>();
        try (var r = Json.createReader(new StringReader(json))) {
            for (JsonValue row : r.readArray()) {
                states.put(row.asJsonArray().getString(0), row.asJsonArray().getString(1));
            }
        }
        return states;
    }

    private static String nodeIdOf(LocalCluster cluster, ManagedProcess gateway, String token) throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(cluster.adminUrl(gateway) + "/admin/node")).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        try (var r = Json.createReader(new StringReader(body))) {
            return r.readObject().getString("id");
        }
    }

    private void progress(String line) {
        log.add(line);
        System.out.println(line);
    }
}
