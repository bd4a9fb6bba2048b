package dev.loomgate.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.stream.JsonParsingException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.loomgate.testsupport.Await;

/**
 * Central logs in the namespace cluster (docs/OBSERVABILITY.md, "Logs"): a request with a chosen X-Request-Id sent
 * through the VIP shows up in the central host's merged all.jsonl and in the serving node's own file, filed under the
 * node named by X-Loomgate-Node; then no credential the test sent (bearer token, session cookie, API key header and
 * query parameter, the nodes' admin token) appears in any log file of the run or in the launcher's output.
 * Needs root; about 60 s (make test-logs).
 */
@Tag("slow")
class CentralLogsTest {
    private static final Pattern ADMIN_TOKEN = Pattern.compile("admin-token: \"([^\"]+)\"");
    private final List<String> log = new CopyOnWriteArrayList<>();

    @Test
    void aRequestIdReachesTheCentralLogWithItsNodeAndNoSecretIsLoggedAnywhere() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "namespace mode needs root");
        ClusterSpec spec = ClusterSpec.netns(ClusterSpec.findRepoRoot()).withNetnsPrefix("lgl-");
        assumeTrue(Files.isRegularFile(spec.gatewayJar()) && Files.isRegularFile(spec.consulJar()),
                "gateway and Consul stand-in jars are built (make build)");
        for (String tool : List.of("haproxy", "keepalived", "redis-server", "prometheus", "ansible-playbook", "curl",
                "ip", "rsyslogd")) {
            assumeTrue(CommandResult.run(List.of("sh", "-c", "command -v " + tool + " || test -x /usr/sbin/" + tool),
                    Duration.ofSeconds(5)).exitCode() == 0, tool + " is installed (make deps)");
        }
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("bearer token", "bearer" + randomHex(24));
        secrets.put("session cookie", "session" + randomHex(24));
        secrets.put("X-Api-Key header", "apikey" + randomHex(24));
        secrets.put("api_key query", "querykey" + randomHex(24));
        secrets.put("wrong admin token", "wrongadmin" + randomHex(24));
        String requestId = "central-logs-" + randomHex(16);
        Path work = Files.createTempDirectory(Path.of("/tmp"), "lglogs");
        try {
            runCluster(spec, work, secrets, requestId);
        } finally {
            deleteTree(work);
        }
    }

    private void runCluster(ClusterSpec spec, Path work, Map<String, String> secrets, String requestId)
            throws IOException {
        List<ManagedProcess> processes;
        try (LocalCluster cluster = LocalCluster.start(spec, work, this::progress)) {
            processes = cluster.processes();
            Path central = cluster.centralLogDir().orElseThrow(() -> new AssertionError("no central log host"));
            assertEquals(4, cluster.logShippers().size(), "one rsyslogd on mon1 and one per gateway");
            Path gatewayYaml = cluster.renderDir().resolve("gw1").resolve("gateway.yaml");
            Matcher token = ADMIN_TOKEN.matcher(Files.readString(gatewayYaml));
            assertTrue(token.find(), "namespace mode runs with an admin token: " + gatewayYaml);
            secrets.put("admin token", token.group(1));

            HttpResponse r = cluster.probes().get(cluster.clientNamespace(), cluster.frontUrl()
                            + "/central-logs/items?api_key=" + secrets.get("api_key query") + "&page=2",
                    Map.of("X-Request-Id", requestId,
                            "Authorization", "Bearer " + secrets.get("bearer token"),
                            "Cookie", "session=" + secrets.get("session cookie"),
                            "X-Api-Key", secrets.get("X-Api-Key header")), Duration.ofSeconds(5));
            assertEquals(200, r.status(), r.body());
            String node = r.header("X-Loomgate-Node").orElseThrow(() -> new AssertionError("no X-Loomgate-Node"));
            ManagedProcess gw = cluster.gateways().get(0);
            assertEquals(401, cluster.probes().get(cluster.clientNamespace(), cluster.adminUrl(gw) + "/admin/config",
                    Map.of("Authorization", "Bearer " + secrets.get("wrong admin token")), Duration.ofSeconds(5))
                    .status(), "a wrong admin token is refused");
            assertEquals(200, cluster.probes().get(cluster.clientNamespace(), cluster.adminUrl(gw) + "/admin/config",
                    Map.of("Authorization", "Bearer " + secrets.get("admin token")), Duration.ofSeconds(5))
                    .status(), "the admin token is accepted");

            Path merged = central.resolve("all.jsonl");
            JsonObject line = Await.value("request " + requestId + " in " + merged, Duration.ofSeconds(30),
                    () -> jsonLines(merged).stream().filter(j -> requestId.equals(j.getString("request_id", "")))
                            .findFirst(), Optional::isPresent).orElseThrow();
            assertEquals(node, line.getString("node"), "the access log line names the node that served it: " + line);
            assertEquals(node, line.getString("log_host"), "shipped by the serving node's rsyslog: " + line);
            assertEquals("loomgate-access", line.getString("log_source"), line.toString());
            assertEquals("/central-logs/items", line.getString("path"), line.toString());
            assertEquals(200, line.getInt("status"), line.toString());
            Await.until("request " + requestId + " in " + central.resolve(node + ".log"), Duration.ofSeconds(10),
                    () -> read(central.resolve(node + ".log")).contains(requestId));
            // the application log is shipped too: every node's JSON app log lines (startup, routes applied)
            for (ManagedProcess g : cluster.gateways()) {
                Await.until("an application log line of " + g.host() + " in " + merged, Duration.ofSeconds(30),
                        () -> jsonLines(merged).stream().anyMatch(j -> g.host().equals(j.getString("log_host", ""))
                                && "loomgate-app".equals(j.getString("log_source", ""))
                                && g.host().equals(j.getString("node", "")) && j.containsKey("level")));
            }

            // hygiene: every log file of the run, the central ones included
            List<Path> logs = logFiles(work);
            assertTrue(logs.contains(merged) && logs.contains(cluster.renderDir().resolve(node).resolve("access.log"))
                    && logs.contains(cluster.renderDir().resolve(node).resolve("app.log"))
                    && logs.contains(cluster.logsDir().resolve("lb1.log")), "scanned: " + logs);
            List<String> leaks = new ArrayList<>();
            for (Path f : logs) {
                String text = read(f);
                secrets.forEach((what, secret) -> {
                    if (text.contains(secret)) {
                        leaks.add(what + " in " + f);
                    }
                });
            }
            // the launcher's own output (the terminal of make cluster-netns) is a log too
            String output = String.join("\n", log);
            secrets.forEach((what, secret) -> {
                if (output.contains(secret)) {
                    leaks.add(what + " in the cluster launcher's output");
                }
            });
            assertEquals(List.of(), leaks, "credentials in logs (" + logs.size() + " files scanned)");
            progress("no credential in " + logs.size() + " log files: " + logs.stream().map(work::relativize).toList());
        }
        for (ManagedProcess p : processes) {
            assertFalse(p.alive(), p + " still alive");
        }
        assertEquals(List.of(), Namespaces.existing("lgl-"));
    }

    /** Every file a process of the run logged to: harness logs, node logs, rsyslog output. */
    private static List<Path> logFiles(Path work) throws IOException {
        try (Stream<Path> files = Files.walk(work)) {
            return files.filter(Files::isRegularFile).filter(f -> {
                String n = f.getFileName().toString();
                return n.endsWith(".log") || n.endsWith(".jsonl");
            }).sorted().toList();
        }
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes / 2];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    private static List<JsonObject> jsonLines(Path file) {
        List<JsonObject> out = new ArrayList<>();
        for (String l : read(file).lines().toList()) {
            try {
                out.add(Json.createReader(new StringReader(l)).readObject());
            } catch (JsonParsingException e) {
                throw new AssertionError("not a JSON line in " + file + ": " + l, e);
            }
        }
        return out;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void progress(String line) {
        log.add(line);
        System.out.println(line);
    }
}
