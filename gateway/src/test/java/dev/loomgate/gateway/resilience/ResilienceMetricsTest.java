package dev.loomgate.gateway.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.loomgate.gateway.observe.PrometheusText;

/** The counters' exposition (labels rendered at scrape time, as before) and forgetting deleted routes/upstreams. */
class ResilienceMetricsTest {
    private static String scrape(ResilienceMetrics m) {
        PrometheusText p = new PrometheusText();
        m.writeCounters(p);
        return p.toString();
    }

    @Test
    void linesKeepTheirNamesLabelsAndOrder() {
        ResilienceMetrics m = new ResilienceMetrics();
        m.retried("r\"1", "connect-failure");
        m.retried("r\"1", "connect-failure");
        m.notRetried("r2", "budget-exhausted");
        m.ejected("u", "127.0.0.1:1");
        m.healthChanged("u", "127.0.0.1:1", false);
        m.breakerChanged("u", CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN);
        m.breakerRejected("u");
        m.bulkheadRejected("v");
        String text = scrape(m);
        assertTrue(text.contains("loomgate_retries_total{route=\"r\\\"1\",reason=\"connect-failure\"} 2\n"), text);
        assertTrue(text.contains("loomgate_retries_skipped_total{route=\"r2\",reason=\"budget-exhausted\"} 1\n"), text);
        assertTrue(text.contains("loomgate_retry_budget_exhausted_total{route=\"r2\"} 1\n"), text);
        assertTrue(text.contains("loomgate_outlier_ejections_total{upstream=\"u\",endpoint=\"127.0.0.1:1\"} 1\n"), text);
        assertTrue(text.contains(
                "loomgate_health_check_transitions_total{upstream=\"u\",endpoint=\"127.0.0.1:1\",to=\"unhealthy\"} 1\n"), text);
        assertTrue(text.contains(
                "loomgate_circuit_breaker_transitions_total{upstream=\"u\",from=\"closed\",to=\"open\"} 1\n"), text);
        assertTrue(text.contains("loomgate_circuit_breaker_rejections_total{upstream=\"u\"} 1\n"), text);
        assertTrue(text.contains("loomgate_bulkhead_rejections_total{upstream=\"v\"} 1\n"), text);
        assertEquals(2, m.count("loomgate_retries_total", "route=\"r\\\"1\",reason=\"connect-failure\""));
        assertEquals(1, m.sum("loomgate_circuit_breaker_transitions_total", "upstream=\"u\""));
    }

    @Test
    void deletedRoutesAndUpstreamsLeaveTheCounters() {
        ResilienceMetrics m = new ResilienceMetrics();
        m.retried("kept", "connect-failure");
        m.retried("gone", "connect-failure");
        m.breakerRejected("kept-up");
        m.breakerRejected("gone-up");
        m.ejected("gone-up", "127.0.0.1:2");
        m.retain(Set.of("kept"), Set.of("kept-up"));
        String text = scrape(m);
        assertTrue(text.contains("route=\"kept\""), text);
        assertTrue(text.contains("upstream=\"kept-up\""), text);
        assertFalse(text.contains("gone"), text);
        assertTrue(text.contains("# TYPE loomgate_outlier_ejections_total counter"), "families stay, only their lines go");
    }
}
