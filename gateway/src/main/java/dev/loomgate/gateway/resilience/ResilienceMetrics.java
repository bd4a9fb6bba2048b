package dev.loomgate.gateway.resilience;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.loomgate.gateway.observe.PrometheusText;
import dev.loomgate.gateway.upstream.Upstream;
import dev.loomgate.gateway.upstream.UpstreamHost;

/**
 * Counters of the resilience pieces, exposed through {@code GatewayMetrics.addSource}. Gauges
 * (endpoint health, breaker state, in-flight) are read from live state at scrape time.
 */
public final class ResilienceMetrics {
    private static final String[][] COUNTERS = {
            {"loomgate_retries_total", "Retries sent, by route and the failure that caused them."},
            {"loomgate_retries_skipped_total", "Failed tries that were not retried, by route and reason."},
            {"loomgate_retry_budget_exhausted_total", "Retries refused because the route's retry budget was spent."},
            {"loomgate_outlier_ejections_total", "Endpoints ejected by outlier detection."},
            {"loomgate_health_check_transitions_total", "Endpoints turning healthy or unhealthy by active health checks."},
            {"loomgate_circuit_breaker_transitions_total", "Circuit breaker state changes."},
            {"loomgate_circuit_breaker_rejections_total", "Requests refused by an open circuit breaker."},
            {"loomgate_bulkhead_rejections_total", "Requests refused because an upstream's max-in-flight was reached."},
    };
    // metric name -> label string -> count
    private final Map<String, Map<String, LongAdder>> counters = new ConcurrentHashMap<>();

    public void retried(String route, String reason) {
        inc("loomgate_retries_total", "route=\"" + esc(route) + "\",reason=\"" + esc(reason) + "\"");
    }

    public void notRetried(String route, String reason) {
        inc("loomgate_retries_skipped_total", "route=\"" + esc(route) + "\",reason=\"" + esc(reason) + "\"");
        if (reason.equals("budget-exhausted")) {
            inc("loomgate_retry_budget_exhausted_total", "route=\"" + esc(route) + "\"");
        }
    }

    public void ejected(String upstream, String endpoint) {
        inc("loomgate_outlier_ejections_total", "upstream=\"" + esc(upstream) + "\",endpoint=\"" + esc(endpoint) + "\"");
    }

    public void healthChanged(String upstream, String endpoint, boolean healthy) {
        inc("loomgate_health_check_transitions_total", "upstream=\"" + esc(upstream) + "\",endpoint=\"" + esc(endpoint)
                + "\",to=\"" + (healthy ? "healthy" : "unhealthy") + "\"");
    }

    public void breakerChanged(String upstream, CircuitBreaker.State from, CircuitBreaker.State to) {
        inc("loomgate_circuit_breaker_transitions_total", "upstream=\"" + esc(upstream) + "\",from=\"" + name(from)
                + "\",to=\"" + name(to) + "\"");
    }

    public void breakerRejected(String upstream) {
        inc("loomgate_circuit_breaker_rejections_total", "upstream=\"" + esc(upstream) + "\"");
    }

    public void bulkheadRejected(String upstream) {
        inc("loomgate_bulkhead_rejections_total", "upstream=\"" + esc(upstream) + "\"");
    }

    /** A counter's value (tests, admin). */
    public long count(String metric, String labels) {
        LongAdder a = counters.getOrDefault(metric, Map.of()).get(labels);
        return a == null ? 0 : a.sum();
    }

    /** Sum of a counter over all label sets containing {@code labelFragment}. */
    public long sum(String metric, String labelFragment) {
        long total = 0;
        for (Map.Entry<String, LongAdder> e : counters.getOrDefault(metric, Map.of()).entrySet()) {
            if (e.getKey().contains(labelFragment)) {
                total += e.getValue().sum();
            }
        }
        return total;
    }

    private void inc(String metric, String labels) {
        counters.computeIfAbsent(metric, k -> new ConcurrentHashMap<>()).computeIfAbsent(labels, k -> new LongAdder())
                .increment();
    }

    /** Writes counters plus gauges of the given upstreams' live state. */
    public void write(PrometheusText p, Map<String, Upstream> upstreams, ResilienceRegistry registry) {
        for (String[] c : COUNTERS) {
            Map<String, LongAdder> values = counters.get(c[0]);
            p.help(c[0], "counter", c[1]);
            if (values != null) {
                for (Map.Entry<String, LongAdder> e : new TreeMap<>(values).entrySet()) {
                    p.sample(c[0], e.getKey(), e.getValue().sum());
                }
            }
        }
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
                    p.sample("loomgate_circuit_breaker_state", "upstream=\"" + esc(u.name()) + "\",state=\"" + name(s) + "\"",
                            s == now ? 1 : 0);
                }
            });
        }
        p.help("loomgate_upstream_in_flight", "gauge", "Requests in flight to each upstream (the bulkhead's count).");
        for (Upstream u : sorted.values()) {
            p.sample("loomgate_upstream_in_flight", "upstream=\"" + esc(u.name()) + "\"", registry.inFlight(u.name()));
        }
    }

    private static String hostLabels(Upstream u, UpstreamHost h) {
        return "upstream=\"" + esc(u.name()) + "\",endpoint=\"" + esc(h.endpoint().id()) + "\"";
    }

    static String name(CircuitBreaker.State s) {
        return s.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    private static String esc(String s) {
        return PrometheusText.escape(s);
    }
}
