package dev.loomgate.gateway.call;

import java.util.Map;
import java.util.TreeMap;

import dev.loomgate.gateway.observe.PrometheusText;
import dev.loomgate.gateway.resilience.CircuitBreaker;
import dev.loomgate.gateway.resilience.ResilienceMetrics;
import dev.loomgate.gateway.resilience.ResilienceRegistry;
import dev.loomgate.gateway.upstream.Upstream;
import dev.loomgate.gateway.upstream.UpstreamHost;

/**
 * The resilience exposition: the counters of {@link ResilienceMetrics}, then gauges read from
 * live state at scrape time (endpoint health, ejection, breaker state, in-flight). Here rather
 * than in the resilience package because the gauges walk the upstreams and their hosts.
 */
public final class ResilienceGauges {
    private ResilienceGauges() {
    }

    public static void write(PrometheusText p, ResilienceMetrics metrics, Map<String, Upstream> upstreams,
                             ResilienceRegistry registry) {
        metrics.writeCounters(p);
        Map<String, Upstream> sorted = new TreeMap<>(upstreams);
        p.help("loomgate_endpoint_healthy", "gauge",
                "1 when the endpoint passes active health checks and is not ejected (it gets traffic).");
        for (Upstream u : sorted.values()) {
            for (UpstreamHost h : u.hosts()) {
                p.sample("loomgate_endpoint_healthy", hostLabels(u, h), h.available() ? 1 : 0);
            }
        }
        p.help("loomgate_endpoint_ejected", "gauge", "1 while outlier detection keeps the endpoint out.");
        for (Upstream u : sorted.values()) {
            for (UpstreamHost h : u.hosts()) {
                p.sample("loomgate_endpoint_ejected", hostLabels(u, h), h.health().ejected() ? 1 : 0);
            }
        }
        p.help("loomgate_circuit_breaker_state", "gauge", "1 for the state each upstream's circuit breaker is in.");
        for (Upstream u : sorted.values()) {
            registry.breaker(u.name()).ifPresent(b -> {
                CircuitBreaker.State now = b.state();
                for (CircuitBreaker.State s : CircuitBreaker.State.values()) {
                    p.sample("loomgate_circuit_breaker_state", "upstream=\"" + ResilienceMetrics.esc(u.name())
                            + "\",state=\"" + ResilienceMetrics.name(s) + "\"", s == now ? 1 : 0);
                }
            });
        }
        p.help("loomgate_upstream_in_flight", "gauge", "Requests in flight to each upstream (the bulkhead's count).");
        for (Upstream u : sorted.values()) {
            p.sample("loomgate_upstream_in_flight", "upstream=\"" + ResilienceMetrics.esc(u.name()) + "\"",
                    registry.inFlight(u.name()));
        }
    }

    private static String hostLabels(Upstream u, UpstreamHost h) {
        return "upstream=\"" + ResilienceMetrics.esc(u.name()) + "\",endpoint=\"" + ResilienceMetrics.esc(h.endpoint().id()) + "\"";
    }
}
