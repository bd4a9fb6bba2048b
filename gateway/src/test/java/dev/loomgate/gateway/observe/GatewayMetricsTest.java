package dev.loomgate.gateway.observe;

import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GatewayMetricsTest {
    private static GatewayMetrics.LiveNames names(Set<String> routes, Set<String> upstreams) {
        return new GatewayMetrics.LiveNames(routes, upstreams);
    }

    @Test
    void handleIsCreatedOnceAndKeptWhileTheRouteLives() {
        GatewayMetrics m = new GatewayMetrics();
        TrafficStats first = m.route("r");
        assertSame(first, m.route("r"));
        m.retain(() -> names(Set.of("r"), Set.of()));
        assertSame(first, m.route("r"), "a route that stays keeps its handle and counts");
    }

    @Test
    void retainForgetsDeletedNamesAndLateRecordsDoNotBringThemBack() {
        GatewayMetrics m = new GatewayMetrics();
        m.route("r").record(200, 1_000_000);
        m.upstream("u").record(200, 1_000_000);
        assertTrue(m.scrape().contains("route=\"r\""));
        m.retain(() -> names(Set.of("s"), Set.of("v")));
        // a request that started on the old snapshot finishes now
        m.route("r").record(200, 1_000_000);
        m.upstream("u").record(503, 1_000_000);
        String text = m.scrape();
        assertFalse(text.contains("route=\"r\""), text);
        assertFalse(text.contains("upstream=\"u\""), text);
        m.route("s").record(204, 2_000_000);
        assertTrue(m.scrape().contains("loomgate_route_requests_total{route=\"s\",code=\"2xx\"} 1"), m.scrape());
        m.retain(() -> names(Set.of("r", "s"), Set.of()));
        m.route("r").record(200, 1);
        assertTrue(m.scrape().contains("loomgate_route_requests_total{route=\"r\",code=\"2xx\"} 1"),
                "a route added back starts from zero: " + m.scrape());
    }

    @Test
    void requestsRacingARetainNeverLeaveADeletedRouteBehind() throws Exception {
        GatewayMetrics m = new GatewayMetrics();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.List<Thread> requests = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
            requests.add(Thread.ofVirtual().start(() -> {
                while (running.get()) {
                    m.route("gone").record(200, 1_000);
                    m.upstream("gone-up").record(200, 1_000);
                    Thread.yield();
                }
            }));
        }
        for (int round = 0; round < 2_000; round++) {
            m.retain(() -> names(Set.of("gone"), Set.of("gone-up")));
            m.retain(() -> names(Set.of(), Set.of()));
        }
        running.set(false);
        for (Thread t : requests) {
            t.join();
        }
        String text = m.scrape();
        assertFalse(text.contains("gone"), text);
    }

    @Test
    void exposesTheSameLinesAsBefore() {
        GatewayMetrics m = new GatewayMetrics();
        m.route("a\"b").record(200, 700_000); // 0.7 ms: in the 0.001 bucket
        String text = m.scrape();
        String l = "route=\"a\\\"b\"";
        assertTrue(text.contains("loomgate_route_requests_total{" + l + ",code=\"2xx\"} 1\n"), text);
        assertTrue(text.contains("loomgate_route_request_duration_seconds_bucket{" + l + ",le=\"5.0E-4\"} 0\n"), text);
        assertTrue(text.contains("loomgate_route_request_duration_seconds_bucket{" + l + ",le=\"0.001\"} 1\n"), text);
        assertTrue(text.contains("loomgate_route_request_duration_seconds_bucket{" + l + ",le=\"+Inf\"} 1\n"), text);
        assertTrue(text.contains("loomgate_route_request_duration_seconds_sum{" + l + "} 7.0E-4\n"), text);
        assertTrue(text.contains("loomgate_route_request_duration_seconds_count{" + l + "} 1\n"), text);
    }

    @Test
    void histogramWithoutLabelsAndWithOwnBounds() {
        Histogram h = new Histogram(new double[] {0.01, 0.1}, "");
        h.record(5_000_000);
        h.record(50_000_000);
        h.record(5_000_000_000L);
        PrometheusText p = new PrometheusText();
        h.writeTo(p, "x_seconds");
        assertEquals("""
                x_seconds_bucket{le="0.01"} 1
                x_seconds_bucket{le="0.1"} 2
                x_seconds_bucket{le="+Inf"} 3
                x_seconds_sum 5.055
                x_seconds_count 3
                """, p.toString());
        assertEquals(3, h.count());
        assertThrows(IllegalArgumentException.class, () -> new Histogram(new double[] {0.1, 0.01}, ""));
    }
}
