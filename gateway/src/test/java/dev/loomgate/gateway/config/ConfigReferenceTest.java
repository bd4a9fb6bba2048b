package dev.loomgate.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.loomgate.gateway.admin.AdminAuth;
import dev.loomgate.gateway.client.ClientSettings;
import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTls;

import org.junit.jupiter.api.Test;

/** docs/CONFIG.md (and CONSUL.md's consul table) against the code: keys the parsers accept and their defaults. */
class ConfigReferenceTest {

    @Test
    void docsAgreeWithTheCode() throws IOException {
        List<String> problems = new ArrayList<>();
        for (ConfigReference.Table t : ConfigReference.tables()) {
            problems.addAll(DocTables.disagreements(t, DocTables.read(t.document())));
        }
        assertEquals(List.of(), problems, "fix the docs (or the code): " + String.join("\n", problems));
    }

    @Test
    void theReferenceListsEveryKeyTheParsersAccept() {
        Map<String, Set<String>> blocks = Map.ofEntries(
                Map.entry("node", NodeConfigParser.NODE_KEYS),
                Map.entry("limits", NodeConfigParser.LIMITS_KEYS),
                Map.entry("upstream", NodeConfigParser.UPSTREAM_KEYS),
                Map.entry("cluster", NodeConfigParser.CLUSTER_KEYS),
                Map.entry("rate-limiter", NodeConfigParser.RATE_LIMITER_KEYS),
                Map.entry("paths", NodeConfigParser.PATHS_KEYS),
                Map.entry("forwarded", NodeConfigParser.FORWARDED_KEYS),
                Map.entry("admin", NodeConfigParser.ADMIN_KEYS),
                Map.entry("front-door", NodeConfigParser.FRONT_DOOR_KEYS),
                Map.entry("logging", NodeConfigParser.LOGGING_KEYS),
                Map.entry("tracing", NodeConfigParser.TRACING_KEYS),
                Map.entry("monitoring", NodeConfigParser.MONITORING_KEYS));
        Set<String> accepted = new LinkedHashSet<>();
        for (String top : NodeConfigParser.TOP_KEYS) {
            if (top.equals("redis")) {
                for (String k : RedisSettings.KEYS) {
                    if (k.equals("sentinel")) {
                        RedisSettings.SENTINEL_KEYS.forEach(s -> accepted.add("redis.sentinel." + s));
                    } else if (k.equals("cluster")) {
                        RedisSettings.CLUSTER_KEYS.forEach(c -> accepted.add("redis.cluster." + c));
                    } else if (k.equals("tls")) {
                        accepted.add("redis.tls");
                        RedisTls.KEYS.forEach(t -> accepted.add("redis.tls." + t));
                    } else {
                        accepted.add("redis." + k);
                    }
                }
            } else if (blocks.containsKey(top)) {
                blocks.get(top).forEach(k -> accepted.add(top + "." + k));
            } else {
                accepted.add(top); // a scalar, or a block with its own table (consul)
            }
        }
        assertEquals(accepted, Set.copyOf(ConfigReference.nodeConfig().keys()));
        assertEquals(ConsulConfigParser.KEYS, Set.copyOf(ConfigReference.consul().keys()));
        assertEquals(ResilienceParser.TIMEOUT_KEYS, Set.copyOf(ConfigReference.timeouts().keys()));
        Set<String> retry = new LinkedHashSet<>();
        for (String k : ResilienceParser.RETRY_KEYS) {
            if (k.equals("budget")) {
                ResilienceParser.BUDGET_KEYS.forEach(b -> retry.add("budget." + b));
            } else {
                retry.add(k);
            }
        }
        assertEquals(retry, Set.copyOf(ConfigReference.retries().keys()));
        assertEquals(ResilienceParser.HEALTH_KEYS, Set.copyOf(ConfigReference.healthCheck().keys()));
        assertEquals(ResilienceParser.OUTLIER_KEYS, Set.copyOf(ConfigReference.outlierDetection().keys()));
        assertEquals(ResilienceParser.BREAKER_KEYS, Set.copyOf(ConfigReference.circuitBreaker().keys()));
        assertEquals(RoutesParser.PEAK_EWMA_KEYS, Set.copyOf(ConfigReference.peakEwma().keys()));
        Set<String> listenerTls = new LinkedHashSet<>(TlsConfigParser.LISTENER_KEYS);
        TlsConfigParser.CERTIFICATE_KEYS.forEach(k -> listenerTls.add("certificates[]." + k));
        assertEquals(listenerTls, Set.copyOf(ConfigReference.listenerTls().keys()));
        assertEquals(TlsConfigParser.UPSTREAM_KEYS, Set.copyOf(ConfigReference.upstreamTls().keys()));
    }

    @Test
    void theReferenceReadsTheConstantsTheCodeUses() {
        NodeConfig d = NodeConfig.defaults();
        Map<String, String> node = rows(ConfigReference.nodeConfig());
        assertEquals("4s", node.get("upstream.idle-timeout"));
        assertEquals(ClientSettings.defaults().idleTimeout(), d.upstream().idleTimeout(),
                "one idle-timeout default for the node config and the client");
        assertEquals("env " + AdminAuth.ENV, node.get("node.admin-token"));
        assertEquals("16KiB", node.get("limits.max-header-size"));
        assertEquals(16_384, d.limits().maxHeaderSize());
        assertEquals("100MiB", node.get("limits.max-body-size"));
        assertEquals(String.valueOf(d.frontDoor().maxConnections()), node.get("front-door.max-connections"));
        assertEquals("[connect-failure, reset, 502, 503, 504]", rows(ConfigReference.retries()).get("on"));
        assertEquals("64KiB", rows(ConfigReference.retries()).get("max-buffered-body"));
        assertEquals("0", rows(ConfigReference.consul()).get("panic-threshold"));
    }

    @Test
    void aDoctoredDocFails() throws IOException {
        String doc = DocTables.read("CONFIG.md");
        ConfigReference.Table node = ConfigReference.nodeConfig();
        assertEquals(List.of(), DocTables.disagreements(node, doc));

        String wrongDefault = replaceOnce(doc, "| `upstream.idle-timeout` | `4s` |", "| `upstream.idle-timeout` | `60s` |");
        assertEquals(List.of("CONFIG.md \"## Node config (`gateway.yaml`)\": upstream.idle-timeout defaults to '4s' in"
                + " the code, the docs say '60s'"), DocTables.disagreements(node, wrongDefault));

        String allowTraceRow = doc.lines().filter(l -> l.startsWith("| `front-door.allow-trace` |")).findFirst()
                .orElseThrow();
        String missingKey = replaceOnce(doc, allowTraceRow + "\n", "");
        List<String> missing = DocTables.disagreements(node, missingKey);
        assertEquals(1, missing.size(), missing.toString());
        assertTrue(missing.getFirst().contains("front-door.allow-trace is accepted by the code but missing"), missing.getFirst());

        String extraKey = replaceOnce(doc, allowTraceRow, allowTraceRow + "\n| `front-door.allow-connect` | `false` | no |");
        List<String> extra = DocTables.disagreements(node, extraKey);
        assertEquals(1, extra.size(), extra.toString());
        assertTrue(extra.getFirst().contains("front-door.allow-connect is documented but the code has no such key"),
                extra.getFirst());

        String noHeading = replaceOnce(doc, "## Node config (`gateway.yaml`)", "## Node settings");
        assertTrue(DocTables.disagreements(node, noHeading).getFirst().contains("no such heading"));
    }

    @Test
    void aChangedCodeDefaultFails() throws IOException {
        ConfigReference.Table t = ConfigReference.circuitBreaker();
        List<ConfigReference.Row> rows = new ArrayList<>(t.rows());
        rows.set(2, new ConfigReference.Row("open-for", "30s"));
        List<String> problems = DocTables.disagreements(new ConfigReference.Table(t.document(), t.heading(), rows),
                DocTables.read("CONFIG.md"));
        assertEquals(List.of("CONFIG.md \"#### `circuit-breaker` (upstream)\": open-for defaults to '30s' in the code,"
                + " the docs say '10s'"), problems);
    }

    @Test
    void cellsAreNormalized() {
        assertEquals("[]", DocTables.normalize(" `[]` (nobody, loopback included) "));
        assertEquals("env LOOMGATE_ADMIN_TOKEN", DocTables.normalize("env `LOOMGATE_ADMIN_TOKEN`"));
        assertTrue(DocTables.same("60s", "1m"));
        assertTrue(DocTables.same("16384", "16KiB"));
        assertTrue(DocTables.same("64KB", "64KiB"));
        assertTrue(!DocTables.same("5s", "5") && !DocTables.same("4s", "60s") && !DocTables.same("none", "0"));
        assertEquals(Map.of("a", "x|y"), DocTables.table("## H\n\n| key | default | meaning |\n|---|---|---|\n"
                + "| `a` | x\\|y | m |\n\nafter\n", "## H"));
    }

    private static Map<String, String> rows(ConfigReference.Table t) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        t.rows().forEach(r -> out.put(r.key(), r.defaultText()));
        return out;
    }

    private static String replaceOnce(String text, String from, String to) {
        int i = text.indexOf(from);
        assertTrue(i >= 0, "doc no longer contains: " + from);
        return text.substring(0, i) + to + text.substring(i + from.length());
    }
}
