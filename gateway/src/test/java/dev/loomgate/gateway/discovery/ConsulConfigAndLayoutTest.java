package dev.loomgate.gateway.discovery;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.config.ConsulConfig;
import dev.loomgate.gateway.config.NodeConfig;
import dev.loomgate.gateway.config.NodeConfigParser;
import dev.loomgate.gateway.config.RoutesDocument;
import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.consul.KvEntry;
import dev.loomgate.gateway.upstream.ConsulService;
import dev.loomgate.gateway.upstream.Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The consul: schema pieces, the KV layout, the snapshot file and the panic guard as units. */
class ConsulConfigAndLayoutTest {
    private static final String ROUTES = """
            version: "r7"
            upstreams:
              - name: orders
                load-balancer: least-request
                consul: { service: orders, tags: [v2, eu], passing-only: false }
              - name: static
                endpoints: [ "127.0.0.1:9001", { address: "127.0.0.1:9002", weight: 3 } ]
            routes:
              - id: z-last-in-file-first
                upstream: orders
                match: { path-prefix: /orders }
              - id: a-second
                upstream: static
                match: { path: /static, methods: [GET] }
                retries: { attempts: 2, on: [connect-failure, 503] }
                rate-limit: off
            """;

    @TempDir
    Path dir;

    @Test
    void upstreamWithConsulSource() throws Exception {
        RoutesDocument doc = RoutesParser.parse(ROUTES, "routes.yaml");
        var orders = doc.upstreams().get(0);
        assertEquals(Optional.of(new ConsulService("orders", List.of("v2", "eu"), false)), orders.consul());
        assertTrue(orders.endpoints().isEmpty());
        assertEquals(Optional.empty(), doc.upstreams().get(1).consul());
        RoutesDocument defaults = RoutesParser.parse("""
                upstreams: [ { name: o, consul: { service: orders } } ]
                """, "r.yaml");
        assertEquals(new ConsulService("orders", List.of(), true), defaults.upstreams().get(0).consul().orElseThrow(),
                "passing-only defaults to true");
        ConfigException both = assertThrows(ConfigException.class, () -> RoutesParser.parse("""
                upstreams: [ { name: o, endpoints: ["127.0.0.1:1"], consul: { service: orders } } ]
                """, "r.yaml"));
        assertTrue(both.getMessage().contains("either 'endpoints' or 'consul'"), both.getMessage());
        ConfigException unknown = assertThrows(ConfigException.class, () -> RoutesParser.parse("""
                upstreams: [ { name: o, consul: { service: orders, passing: true } } ]
                """, "r.yaml"));
        assertTrue(unknown.getMessage().contains("passing") && unknown.getMessage().contains("unknown key"));
        ConfigException none = assertThrows(ConfigException.class, () -> RoutesParser.parse("""
                upstreams: [ { name: o } ]
                """, "r.yaml"));
        assertTrue(none.getMessage().contains("endpoints"), none.getMessage());
    }

    @Test
    void nodeConfigConsulBlock() throws Exception {
        NodeConfig c = NodeConfigParser.parse("""
                consul:
                  addresses: [ "10.0.0.1:8500", "https://consul.example:8501" ]
                  token: abc
                  kv-prefix: edge/gw
                  routes: file
                  snapshot-file: state/lkg.json
                  register: false
                  advertise-address: 10.1.1.1
                  check-interval: 3s
                  deregister-after: 2m
                  panic-threshold: 40%
                  freeze: true
                  watch-wait: 2m
                """, "gateway.yaml");
        ConsulConfig k = c.consul().orElseThrow();
        assertEquals(List.of("http://10.0.0.1:8500", "https://consul.example:8501"),
                k.addresses().stream().map(Object::toString).toList());
        assertEquals(Optional.of("abc"), k.token());
        assertEquals("edge/gw/", k.kvPrefix());
        assertFalse(k.routesFromKv());
        assertEquals(Path.of("state/lkg.json"), k.snapshotFile());
        assertFalse(k.register());
        assertEquals(Optional.of("10.1.1.1"), k.advertiseAddress());
        assertEquals(Duration.ofSeconds(3), k.checkInterval());
        assertEquals(Duration.ofMinutes(2), k.deregisterAfter());
        assertEquals(0.4, k.panicThreshold(), 1e-9);
        assertTrue(k.freeze());
        assertEquals(Duration.ofMinutes(2), k.watchWait());
        NodeConfig tls = NodeConfigParser.parse("consul: { addresses: consul:8501, tls: { ca-file: ca.pem } }", "g.yaml");
        assertEquals("https://consul:8501", tls.consul().orElseThrow().addresses().get(0).toString());
        assertTrue(tls.consul().orElseThrow().caFile().isPresent());
        assertTrue(NodeConfigParser.parse("node: { id: x }", "g.yaml").consul().isEmpty(), "absent: file mode as before");
        ConfigException bad = assertThrows(ConfigException.class,
                () -> NodeConfigParser.parse("consul: { addresses: [x:1], panic-threshold: 1.5 }", "g.yaml"));
        assertTrue(bad.getMessage().contains("panic-threshold"), bad.getMessage());
        ConfigException scheme = assertThrows(ConfigException.class,
                () -> NodeConfigParser.parse("consul: { addresses: [\"ftp://x:1\"] }", "g.yaml"));
        assertTrue(scheme.getMessage().contains("http"), scheme.getMessage());
    }

    private static List<KvEntry> toKv(Map<String, KvRoutesLayout.Item> items, KvRoutesLayout layout, String version) {
        List<KvEntry> out = new ArrayList<>();
        out.add(new KvEntry(layout.versionKey(), version.getBytes(StandardCharsets.UTF_8), 0, 1, 1));
        items.forEach((k, v) -> out.add(new KvEntry(k, v.json().getBytes(StandardCharsets.UTF_8), v.flags(), 2, 2)));
        out.add(new KvEntry(layout.statusKey("n1"), "{}".getBytes(StandardCharsets.UTF_8), 0, 3, 3));
        return out;
    }

    @Test
    void kvLayoutRoundTripKeepsRouteOrderAndTypes() throws Exception {
        KvRoutesLayout layout = new KvRoutesLayout("loomgate/");
        Map<String, KvRoutesLayout.Item> items = layout.split(ROUTES);
        assertEquals(List.of("loomgate/upstreams/orders", "loomgate/upstreams/static",
                "loomgate/routes/z-last-in-file-first", "loomgate/routes/a-second"), List.copyOf(items.keySet()));
        assertEquals(1, items.get("loomgate/routes/a-second").flags(), "file position in Flags");
        KvRoutesLayout.Assembled a = layout.assemble(toKv(items, layout, "r7"));
        RoutesDocument back = layout.parse(a);
        RoutesDocument original = RoutesParser.parse(ROUTES, "routes.yaml");
        assertEquals("r7", back.version());
        assertEquals(original.upstreams(), back.upstreams());
        assertEquals(List.of("z-last-in-file-first", "a-second"), back.routes().stream().map(r -> r.id()).toList());
        // YAML 1.1 words (`on:`, `off`) reach KV as the text the routes parser reads, not as booleans
        assertEquals(original.routes().get(1).resilience(), back.routes().get(1).resilience());
        assertTrue(items.get("loomgate/routes/a-second").json().contains("\"on\":"), items.get("loomgate/routes/a-second").json());
    }

    @Test
    void fileDefaultsSurviveThePushToKv() throws Exception {
        KvRoutesLayout layout = new KvRoutesLayout("loomgate/");
        String routes = """
                default-rate-limit: { key: route, limit: 5, per: 1m }
                default-filters:
                  ip-access: { deny: [ 10.0.0.0/8 ] }
                upstreams:
                  - { name: u, endpoints: [ "127.0.0.1:9" ] }
                routes:
                  - { id: inherits, upstream: u, match: { path-prefix: /a } }
                  - { id: opts-out, upstream: u, match: { path-prefix: /b }, rate-limit: off }
                """;
        Map<String, KvRoutesLayout.Item> items = layout.split(routes);
        assertTrue(items.containsKey("loomgate/defaults/default-rate-limit"), items.keySet().toString());
        assertTrue(items.containsKey("loomgate/defaults/default-filters"), items.keySet().toString());
        RoutesDocument back = layout.parse(layout.assemble(toKv(items, layout, "d1")));
        assertEquals(List.of("ip-access", "rate-limit"), back.pipeline("inherits").keys());
        assertEquals(List.of("ip-access"), back.pipeline("opts-out").keys());

        List<KvEntry> bad = new ArrayList<>(toKv(items, layout, "d2"));
        bad.add(new KvEntry("loomgate/defaults/default-filters", "cors:\n  allow-origins: [ \"ftp:/x\" ]".getBytes(
                StandardCharsets.UTF_8), 0, 4, 4));
        bad.removeIf(e -> e.key().equals("loomgate/defaults/default-filters") && e.modifyIndex() == 2);
        ConfigException e = assertThrows(ConfigException.class, () -> layout.parse(layout.assemble(bad)));
        assertEquals("loomgate/defaults/default-filters", e.source(), "an error names the KV key of the default");
    }

    @Test
    void kvErrorsNameTheKeyAndHandWrittenYamlValuesWork() {
        KvRoutesLayout layout = new KvRoutesLayout("loomgate/");
        List<KvEntry> entries = List.of(
                new KvEntry("loomgate/upstreams/u", "name: u\nendpoints:\n  - 127.0.0.1:9\n".getBytes(), 0, 1, 1),
                new KvEntry("loomgate/routes/ok", "id: ok\nupstream: u\nmatch: { path: /ok }".getBytes(), 0, 1, 1),
                new KvEntry("loomgate/routes/broken", "id: broken\nupstream: u\nmatch:\n  paht: /x".getBytes(), 0, 1, 1));
        ConfigException e = assertThrows(ConfigException.class, () -> layout.parse(layout.assemble(entries)));
        assertEquals("loomgate/routes/broken", e.source());
        assertEquals(4, e.line().orElseThrow(), "line within the value");
        assertTrue(e.getMessage().contains("paht"), e.getMessage());
        assertTrue(layout.assemble(List.of()).empty());
    }

    @Test
    void snapshotFileRoundTripIsAtomic() throws Exception {
        Path file = dir.resolve("sub/lkg.json");
        ConsulService svc = new ConsulService("orders", List.of("v2"), true);
        LastKnownGood lkg = new LastKnownGood("v5", Optional.of("routes: []\n"),
                Map.of(svc, List.of(new Endpoint("10.0.0.1", 80, 1), new Endpoint("10.0.0.2", 81, 2))), Instant.now());
        lkg.write(file);
        assertEquals(Optional.of(lkg), LastKnownGood.read(file));
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temp file left behind");
        }
        assertEquals(Optional.empty(), LastKnownGood.read(dir.resolve("missing.json")));
        Files.writeString(file, "{ half");
        assertThrows(java.io.IOException.class, () -> LastKnownGood.read(file));
    }

    @Test
    void panicGuard() {
        Endpoint a = new Endpoint("a", 1, 1);
        Endpoint b = new Endpoint("b", 1, 1);
        Endpoint c = new Endpoint("c", 1, 1);
        assertTrue(ServiceEndpointsWatcher.refusal(List.of(), List.of(), 0).isEmpty(), "nothing to protect yet");
        assertTrue(ServiceEndpointsWatcher.refusal(List.of(a), List.of(), 0).isPresent(), "sudden empty list");
        assertTrue(ServiceEndpointsWatcher.refusal(List.of(a, b, c), List.of(a), 0).isEmpty(), "default: shrinking is fine");
        assertTrue(ServiceEndpointsWatcher.refusal(List.of(a, b, c), List.of(a), 0.5).isPresent());
        assertTrue(ServiceEndpointsWatcher.refusal(List.of(a, b), List.of(a), 0.5).isEmpty());
    }
}
