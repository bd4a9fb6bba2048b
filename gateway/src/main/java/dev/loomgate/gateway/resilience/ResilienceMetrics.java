package dev.loomgate.gateway.resilience;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.loomgate.gateway.observe.PrometheusText;

/**
 * Counters of the resilience pieces, exposed through {@code GatewayMetrics.addSource}. Gauges
 * (endpoint health, breaker state, in-flight) are read from live state at scrape time, by
 * {@code call.ResilienceGauges}, which knows the upstreams.
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

    /** Writes the counters; the gauges of live state follow (they need the upstreams, see the call package). */
    public void writeCounters(PrometheusText p) {
        for (String[] c : COUNTERS) {
            Map<String, LongAdder> values = counters.get(c[0]);
            p.help(c[0], "counter", c[1]);
            if (values != null) {
                for (Map.Entry<String, LongAdder> e : new TreeMap<>(values).entrySet()) {
                    p.sample(c[0], e.getKey(), e.getValue().sum());
                }
            }
        }
    }

    public static String name(CircuitBreaker.State s) {
        return s.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    public static String esc(String s) {
        return PrometheusText.escape(s);
    }
}
