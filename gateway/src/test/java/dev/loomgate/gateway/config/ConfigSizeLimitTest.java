package dev.loomgate.gateway.config;

import dev.loomgate.gateway.yaml.ConfigSize;

import dev.loomgate.gateway.yaml.ConfigException;

import dev.loomgate.testsupport.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Config documents are limited by raw size before parsing, and a small document cannot blow up. */
class ConfigSizeLimitTest {
    @TempDir
    Path dir;

    private static String comments(int bytes) {
        StringBuilder sb = new StringBuilder(bytes);
        while (sb.length() < bytes) {
            sb.append("# padding padding padding padding padding padding padding padding padding\n");
        }
        sb.setLength(bytes - 1);
        return sb.append('\n').toString();
    }

    private static final String ROUTES = """
            upstreams:
              - name: u
                endpoints: [ "127.0.0.1:1" ]
            routes:
              - id: r
                upstream: u
            """;

    @Test
    void routesFileCountsEveryByteIncludingComments() throws Exception {
        Path f = dir.resolve("routes.yaml");
        Files.writeString(f, comments(5000) + ROUTES);
        long size = Files.size(f);
        ConfigException e = assertThrows(ConfigException.class, () -> RoutesParser.parse(f, 4096));
        assertEquals(f + ": size " + size + " bytes exceeds limit 4096 bytes (limits.max-config-size)", e.getMessage());
        assertEquals(1, RoutesParser.parse(f, size).routes().size(), "at the limit it parses");
    }

    @Test
    void nodeConfigFileHasTheFixedDefaultLimit() throws Exception {
        Path f = dir.resolve("gateway.yaml");
        Files.writeString(f, comments((int) ConfigSize.DEFAULT_MAX + 1));
        ConfigException e = assertThrows(ConfigException.class, () -> NodeConfigParser.parse(f));
        assertTrue(e.getMessage().contains("size " + (ConfigSize.DEFAULT_MAX + 1) + " bytes exceeds limit "
                + ConfigSize.DEFAULT_MAX), e.getMessage());
    }

    @Test
    void maxConfigSizeIsConfigurable() throws Exception {
        NodeConfig c = NodeConfigParser.parse("limits: { max-config-size: 2MiB }", "gateway.yaml");
        assertEquals(2L * 1024 * 1024, c.limits().maxConfigSize());
        assertEquals(ConfigSize.DEFAULT_MAX, NodeConfig.defaults().limits().maxConfigSize());
        assertThrows(ConfigException.class, () -> NodeConfigParser.parse("limits: { max-config-size: 1GiB }", "g"));
    }

    @Test
    void aliasExpansionAndNestingAreBounded() {
        StringBuilder bomb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i <= 9; i++) {
            bomb.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 5; j++) {
                bomb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            bomb.append("]\n");
        }
        assertTrue(bomb.length() < 1000, "a small file");
        ConfigException e = assertThrows(ConfigException.class, () -> RoutesParser.parse(bomb.toString(), "bomb.yaml"));
        assertTrue(e.getMessage().contains("expands to more than"), e.getMessage());

        String deep = "a: " + "[".repeat(100) + "]".repeat(100);
        ConfigException d = assertThrows(ConfigException.class, () -> RoutesParser.parse(deep, "deep.yaml"));
        assertTrue(d.getMessage().contains("invalid YAML"), d.getMessage());
    }

    @Test
    void watcherRejectsAnOversizedFileAndTheOldRoutesKeepServing() throws Exception {
        try (TestUpstream up = TestUpstream.start("u1");
             TestGateway gw = TestGateway.start("""
                     upstreams:
                       - name: u
                         endpoints: [ %s ]
                     routes:
                       - id: old
                         upstream: u
                         match: { path-prefix: /old }
                     """.formatted(up.address()), c -> c.toBuilder().limits(l -> l.maxConfigSize(16 * 1024)).build())) {
            assertEquals(200, gw.get("/old").statusCode());
            String big = comments(20 * 1024) + """
                    upstreams:
                      - name: u
                        endpoints: [ %s ]
                    routes:
                      - id: new
                        upstream: u
                        match: { path-prefix: /new }
                    """.formatted(up.address());
            Files.writeString(gw.routesFile(), big);
            Await.until("rejection", Duration.ofSeconds(10), () -> gw.node().routing().lastRejection().isPresent());
            String reason = gw.node().routing().lastRejection().orElseThrow().toString();
            assertTrue(reason.contains("exceeds limit 16384 bytes"), reason);
            assertEquals(200, gw.get("/old").statusCode(), "old routes keep serving");
            assertEquals(404, gw.get("/new").statusCode());
        }
    }

    @Test
    void watcherUnitRejectsBeforeParsing() throws Exception {
        Path f = dir.resolve("routes.yaml");
        Files.writeString(f, ROUTES);
        List<Object> events = new CopyOnWriteArrayList<>();
        try (RoutesFileWatcher w = new RoutesFileWatcher(f, Duration.ofMillis(20), 2048, events::add, events::add)) {
            w.start();
            Files.write(f, (comments(3000) + ROUTES).getBytes(StandardCharsets.UTF_8));
            Await.until("a watcher event", Duration.ofSeconds(10), () -> !events.isEmpty());
            ConfigException e = (ConfigException) events.getFirst();
            assertTrue(e.getMessage().startsWith("routes.yaml: size "), e.getMessage());
            assertTrue(e.getMessage().contains("exceeds limit 2048 bytes"), e.getMessage());
        }
    }
}
