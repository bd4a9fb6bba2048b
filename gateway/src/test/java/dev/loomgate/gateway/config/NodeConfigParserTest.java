package dev.loomgate.gateway.config;

import dev.loomgate.gateway.yaml.ConfigSize;

import dev.loomgate.gateway.units.Units;

import dev.loomgate.gateway.yaml.ConfigException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.loomgate.gateway.client.ClientSettings;
import dev.loomgate.gateway.trace.TracingSettings;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigParserTest {

    @Test
    void emptyFileGivesDefaults() throws ConfigException {
        NodeConfig c = NodeConfigParser.parse("", "gateway.yaml");
        NodeConfig d = NodeConfig.defaults();
        assertEquals(d, c);
        assertFalse(d.node().id().isBlank());
        assertEquals("0.0.0.0", d.node().host());
        assertEquals(8080, d.node().port());
        assertEquals("127.0.0.1", d.node().adminHost());
        assertEquals(9080, d.node().adminPort());
        assertEquals(16384, d.limits().maxHeaderSize());
        assertEquals(104_857_600L, d.limits().maxBodySize());
        assertEquals(10_000, d.limits().maxConcurrentRequests());
        assertEquals(8192, d.limits().maxRequestLine());
        assertEquals(Path.of("routes.yaml"), d.routesFile());
        assertEquals(Duration.ofSeconds(2), d.upstream().connectTimeout());
        assertEquals(Duration.ofSeconds(30), d.upstream().responseTimeout());
        assertEquals(256, d.upstream().maxConnectionsPerEndpoint());
        // below common upstream keep-alive timeouts (docs/ARCHITECTURE.md "Upstream client"); it was 60 s here and
        // 4 s in ClientSettings, and the docs said 60 s
        assertEquals(Duration.ofSeconds(4), d.upstream().idleTimeout());
        assertEquals(ClientSettings.DEFAULT_IDLE_TIMEOUT, d.upstream().idleTimeout());
        assertEquals(Duration.ofSeconds(10), d.drainTimeout());
        assertEquals("stdout", d.accessLog());
    }

    @Test
    void tracingBlock() throws ConfigException {
        assertTrue(NodeConfig.defaults().tracing().isEmpty(), "no tracing: block, no tracing");
        TracingSettings minimal = NodeConfigParser.parse("tracing: { endpoint: http://127.0.0.1:4318/v1/traces }",
                "gateway.yaml").tracing().orElseThrow();
        assertEquals(new TracingSettings(java.net.URI.create("http://127.0.0.1:4318/v1/traces"), 0.1, "loomgate", 2048,
                Duration.ofSeconds(2)), minimal);
        TracingSettings all = NodeConfigParser.parse("""
                tracing:
                  endpoint: https://collector.example:4318/v1/traces
                  sample-ratio: 0.25
                  service-name: edge
                  max-queue-size: 100
                  export-timeout: 500ms
                """, "gateway.yaml").tracing().orElseThrow();
        assertEquals(new TracingSettings(java.net.URI.create("https://collector.example:4318/v1/traces"), 0.25, "edge",
                100, Duration.ofMillis(500)), all);
        ConfigException noEndpoint = assertThrows(ConfigException.class,
                () -> NodeConfigParser.parse("tracing: { sample-ratio: 1 }", "gateway.yaml"));
        assertTrue(noEndpoint.getMessage().contains("endpoint"), noEndpoint.getMessage());
        ConfigException badRatio = assertThrows(ConfigException.class, () -> NodeConfigParser.parse(
                "tracing: { endpoint: http://c:4318/v1/traces, sample-ratio: 1.5 }", "gateway.yaml"));
        assertTrue(badRatio.getMessage().contains("gateway.yaml:1") && badRatio.getMessage().contains("0 to 1"),
                badRatio.getMessage());
        ConfigException grpc = assertThrows(ConfigException.class,
                () -> NodeConfigParser.parse("tracing: { endpoint: grpc://c:4317 }", "gateway.yaml"));
        assertTrue(grpc.getMessage().contains("OTLP/HTTP"), grpc.getMessage());
    }

    @Test
    void frontDoorBlock() throws ConfigException {
        FrontDoorConfig d = NodeConfig.defaults().frontDoor();
        assertEquals(new FrontDoorConfig(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(75),
                Duration.ofSeconds(60), 20_000, 256, 100, false), d);
        NodeConfig c = NodeConfigParser.parse("""
                front-door:
                  header-read-timeout: 5s
                  body-idle-timeout: 20s
                  keep-alive-timeout: 30s
                  write-timeout: 15s
                  max-connections: 1000
                  max-connections-per-client: 64
                  max-header-count: 50
                  allow-trace: true
                """, "gateway.yaml");
        assertEquals(new FrontDoorConfig(Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofSeconds(30),
                Duration.ofSeconds(15), 1000, 64, 50, true), c.frontDoor());
        ConfigException e = assertThrows(ConfigException.class,
                () -> NodeConfigParser.parse("front-door: { write-timeout: 0s }", "gateway.yaml"));
        assertTrue(e.getMessage().contains("write-timeout"), e.getMessage());
        assertThrows(ConfigException.class, () -> NodeConfigParser.parse("front-door: { nope: 1 }", "gateway.yaml"));
    }

    @Test
    void parsesEveryField() throws ConfigException {
        NodeConfig c = NodeConfigParser.parse("""
                node: { id: gw-7, host: 127.0.0.1, port: 0, admin-host: 127.0.0.2, admin-port: 9999 }
                limits: { max-header-size: 8KB, max-body-size: 512KB, max-concurrent-requests: 5, max-request-line: 4096 }
                routes-file: conf/r.yaml
                upstream: { connect-timeout: 250ms, response-timeout: 1m, max-connections-per-endpoint: 8, idle-timeout: 1h }
                drain-timeout: 3s
                access-log: off
                """, "gateway.yaml");
        assertEquals(new NodeConfig.Node("gw-7", "127.0.0.1", 0, "127.0.0.2", 9999), c.node());
        assertEquals(new NodeLimits(8192, 512 * 1024, 5, 4096, ConfigSize.DEFAULT_MAX), c.limits());
        assertEquals(Path.of("conf/r.yaml"), c.routesFile());
        assertEquals(new UpstreamClientSettings(Duration.ofMillis(250), Duration.ofMinutes(1), 8,
                Duration.ofHours(1)), c.upstream());
        assertEquals(Duration.ofSeconds(3), c.drainTimeout());
        assertEquals("off", c.accessLog(), "YAML 1.1 'off' is read as the text off");
        assertEquals(0, NodeConfigParser.parse("limits: { max-body-size: 0 }", "g").limits().maxBodySize());
    }

    @Test
    void loggingBlock() throws ConfigException {
        assertEquals(dev.loomgate.gateway.observe.LogSettings.defaults(), NodeConfig.defaults().logging());
        NodeConfig c = NodeConfigParser.parse("logging: { format: json, file: /var/log/loomgate/app.log }\n",
                "gateway.yaml");
        assertEquals(new dev.loomgate.gateway.observe.LogSettings(dev.loomgate.gateway.observe.LogSettings.Format.JSON,
                "/var/log/loomgate/app.log"), c.logging());
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> NodeConfigParser.parse("logging:\n  format: xml\n", "gateway.yaml"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("gateway.yaml:2")
                && e.getMessage().contains("expected text or json"), e.getMessage());
    }

    @Test
    void routesFileIsRelativeToTheConfigFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, "routes-file: my-routes.yaml\n");
        assertEquals(dir.toAbsolutePath().resolve("my-routes.yaml"), NodeConfigParser.parse(file).routesFile());
        Files.writeString(file, "routes-file: /etc/loomgate/routes.yaml\n");
        assertEquals(Path.of("/etc/loomgate/routes.yaml"), NodeConfigParser.parse(file).routesFile());
    }

    @Test
    void errorsNameFieldLineAndReason() {
        assertError("node:\n  port: 70000\n", "node.port", 2, "must be 0..65535");
        assertError("node:\n  prot: 1\n", "node.prot", 2, "unknown key");
        assertError("limits:\n  max-body-size: 12XB\n", "limits.max-body-size", 2, "not a size");
        assertError("upstream:\n  connect-timeout: 2\n", "upstream.connect-timeout", 2, "not a duration");
        assertError("drain-timeout: [1s]\n", "drain-timeout", 1, "must be a string");
        assertError("- a\n", "", 1, "must be a mapping");
        ConfigException io = assertThrows(ConfigException.class, () -> NodeConfigParser.parse(Path.of("/nonexistent/g.yaml")));
        assertTrue(io.reason().startsWith("cannot read"), io.reason());
    }

    @Test
    void buildsInCodeWithoutYaml() {
        NodeConfig c = NodeConfig.builder()
                .node(n -> n.port(0).adminPort(0))
                .limits(l -> l.maxBodySize(0))
                .drainTimeout(Duration.ofSeconds(1))
                .build();
        assertEquals(0, c.node().port());
        assertEquals(0, c.limits().maxBodySize());
        assertEquals(Duration.ofSeconds(1), c.drainTimeout());
    }

    @Test
    void valueParsers() {
        assertEquals(Duration.ofMillis(250), Units.duration("250ms"));
        assertEquals(Duration.ofSeconds(2), Units.duration("2s"));
        assertEquals(Duration.ofMinutes(1), Units.duration("1m"));
        assertThrows(IllegalArgumentException.class, () -> Units.duration("1d"));
        assertThrows(IllegalArgumentException.class, () -> Units.duration("-1s"));
        assertEquals(100L << 20, Units.size("100MB"));
        assertEquals(512L << 10, Units.size("512kb"));
        assertEquals(1L << 30, Units.size("1G"));
        assertEquals(123, Units.size("123"));
        assertThrows(IllegalArgumentException.class, () -> Units.size("MB"));
    }

    private static void assertError(String yaml, String field, int line, String reasonPart) {
        ConfigException e = assertThrows(ConfigException.class, () -> NodeConfigParser.parse(yaml, "gateway.yaml"));
        assertEquals(field, e.field(), e.getMessage());
        assertEquals(line, e.line().orElse(-1), e.getMessage());
        assertTrue(e.reason().contains(reasonPart), e.getMessage());
    }
    @Test
    void monitoringPrometheusUrl() throws Exception {
        assertTrue(NodeConfigParser.parse("", "gateway.yaml").operations().prometheusUrl().isEmpty());
        NodeConfig c = NodeConfigParser.parse("monitoring: { prometheus-url: \"http://prom:9090/\" }", "gateway.yaml");
        assertEquals(java.net.URI.create("http://prom:9090"), c.operations().prometheusUrl().orElseThrow());
        for (String bad : new String[] {"prom:9090", "ftp://prom", "http://prom:9090/?x=1", "\"\""}) {
            assertThrows(ConfigException.class,
                    () -> NodeConfigParser.parse("monitoring: { prometheus-url: " + bad + " }", "gateway.yaml"), bad);
        }
        assertThrows(ConfigException.class, () -> NodeConfigParser.parse("monitoring: { nope: 1 }", "gateway.yaml"));
    }
}
