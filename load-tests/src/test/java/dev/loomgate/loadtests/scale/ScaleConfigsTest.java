package dev.loomgate.loadtests.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class ScaleConfigsTest {
    private static final List<Integer> ENDPOINTS = List.of(1, 10, 100);
    private static final List<Integer> PORTS = IntStream.range(20000, 20100).boxed().toList();

    private static long count(String text, String needle) {
        return text.lines().filter(l -> l.contains(needle)).count();
    }

    @Test
    void aGatewayTableHasExactlyTheAskedRouteCountAndTheRequestMatchesItsLastRoute() {
        for (int routes : List.of(10, 1000, 10000)) {
            String yaml = ScaleConfigs.gatewayRoutes(routes, ENDPOINTS, PORTS);
            assertEquals(routes, count(yaml, "- { id: "), routes + " routes");
            String last = ScaleConfigs.lastRoutePath(routes, ENDPOINTS);
            String lastId = last.substring(1, last.indexOf('/', 1));
            assertTrue(yaml.contains("- { id: " + lastId + ", upstream: e1, match: { path-prefix: /" + lastId + " } }\n"),
                    lastId);
            assertTrue(!yaml.contains("id: r" + (Integer.parseInt(lastId.substring(1)) + 1) + ","), "it is the last");
        }
    }

    @Test
    void upstreamsUseTheFirstNOriginPorts() {
        String yaml = ScaleConfigs.gatewayRoutes(10, ENDPOINTS, PORTS);
        assertTrue(yaml.contains("  - name: e1\n    endpoints: [ 127.0.0.1:20000 ]\n"), yaml);
        assertTrue(yaml.contains("127.0.0.1:20099 ]"), yaml);
        assertTrue(yaml.contains("- { id: size, upstream: e1, match: { path-prefix: /size } }"), yaml);
    }

    @Test
    void nginxHasTheSameRoutesAndAnIdleCachePerServer() {
        String conf = ScaleConfigs.proxy(Path.of("/tmp/x"), 2, 8080, 1000, ENDPOINTS, PORTS);
        assertEquals(996, count(conf, "location /r"));
        assertEquals(1 + 10 + 100, count(conf, "server 127.0.0.1:200"), "e1, e10 and e100");
        assertTrue(conf.contains("keepalive 6400;"), conf);
        assertTrue(conf.contains("keepalive 1024;"), conf);
        assertTrue(conf.contains("worker_connections 16384;"), conf);
    }
}
