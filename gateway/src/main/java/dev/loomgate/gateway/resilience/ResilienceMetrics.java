package dev.loomgate.gateway.resilience;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    /** Whose events a counter counts: its label sets go when that route or upstream is deleted. */
    private enum Scope { ROUTE, UPSTREAM }

    private enum Counter {
        RETRIES("loomgate_retries_total", "Retries sent, by route and the failure that caused them.",
                Scope.ROUTE, "route", "reason"),
        RETRIES_SKIPPED("loomgate_retries_skipped_total", "Failed tries that were not retried, by route and reason.",
                Scope.ROUTE, "route", "reason"),
        BUDGET_EXHAUSTED("loomgate_retry_budget_exhausted_total",
                "Retries refused because the route's retry budget was spent.", Scope.ROUTE, "route"),
        EJECTIONS("loomgate_outlier_ejections_total", "Endpoints ejected by outlier detection.",
                Scope.UPSTREAM, "upstream", "endpoint"),
        HEALTH_TRANSITIONS("loomgate_health_check_transitions_total",
                "Endpoints turning healthy or unhealthy by active health checks.", Scope.UPSTREAM, "upstream",
                "endpoint", "to"),
        BREAKER_TRANSITIONS("loomgate_circuit_breaker_transitions_total", "Circuit breaker state changes.",
                Scope.UPSTREAM, "upstream", "from", "to"),
        BREAKER_REJECTIONS("loomgate_circuit_breaker_rejections_total", "Requests refused by an open circuit breaker.",
                Scope.UPSTREAM, "upstream"),
        BULKHEAD_REJECTIONS("loomgate_bulkhead_rejections_total",
                "Requests refused because an upstream's max-in-flight was reached.", Scope.UPSTREAM, "upstream");

        final String metric;
        final String help;
        final Scope scope;
        final String[] labels;

        Counter(String metric, String help, Scope scope, String... labels) {
            this.metric = metric;
            this.help = help;
            this.scope = scope;
            this.labels = labels;
        }

        /** {@code name="value",...}, rendered at scrape time only. */
        String render(List<String> values) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < labels.length; i++) {
                sb.append(i == 0 ? "" : ",").append(labels[i]).append("=\"").append(esc(values.get(i))).append('"');
            }
            return sb.toString();
        }
    }

    // counter -> label values (in the counter's label order; the first is its route or upstream) -> count.
    // Keys are the values themselves: an event costs a small list, no label text is built per call.
    private final Map<Counter, ConcurrentHashMap<List<String>, LongAdder>> counters = new EnumMap<>(Counter.class);

    public ResilienceMetrics() {
        for (Counter c : Counter.values()) {
            counters.put(c, new ConcurrentHashMap<>());
        }
    }

    public void retried(String route, String reason) {
        inc(Counter.RETRIES, route, reason);
    }

    public void notRetried(String route, String reason) {
        inc(Counter.RETRIES_SKIPPED, route, reason);
        if (reason.equals("budget-exhausted")) {
            inc(Counter.BUDGET_EXHAUSTED, route);
        }
    }

    public void ejected(String upstream, String endpoint) {
        inc(Counter.EJECTIONS, upstream, endpoint);
    }

    public void healthChanged(String upstream, String endpoint, boolean healthy) {
        inc(Counter.HEALTH_TRANSITIONS, upstream, endpoint, healthy ? "healthy" : "unhealthy");
    }

    public void breakerChanged(String upstream, CircuitBreaker.State from, CircuitBreaker.State to) {
        inc(Counter.BREAKER_TRANSITIONS, upstream, name(from), name(to));
    }

    public void breakerRejected(String upstream) {
        inc(Counter.BREAKER_REJECTIONS, upstream);
    }

    public void bulkheadRejected(String upstream) {
        inc(Counter.BULKHEAD_REJECTIONS, upstream);
    }

    /**
     * Forgets the counts of routes and upstreams that the applied routes version no longer has, so a deleted
     * route or upstream leaves /metrics.
     */
    public void retain(Set<String> routes, Set<String> upstreams) {
        counters.forEach((c, values) -> values.keySet()
                .removeIf(v -> !(c.scope == Scope.ROUTE ? routes : upstreams).contains(v.getFirst())));
    }

    /** A counter's value (tests, admin); {@code labels} as rendered, e.g. {@code upstream="a"}. */
    public long count(String metric, String labels) {
        long total = 0;
        for (Counter c : Counter.values()) {
            if (c.metric.equals(metric)) {
                for (Map.Entry<List<String>, LongAdder> e : counters.get(c).entrySet()) {
                    if (c.render(e.getKey()).equals(labels)) {
                        total += e.getValue().sum();
                    }
                }
            }
        }
        return total;
    }

    /** Sum of a counter over all label sets whose rendered text contains {@code labelFragment}. */
    public long sum(String metric, String labelFragment) {
        long total = 0;
        for (Counter c : Counter.values()) {
            if (c.metric.equals(metric)) {
                for (Map.Entry<List<String>, LongAdder> e : counters.get(c).entrySet()) {
                    if (c.render(e.getKey()).contains(labelFragment)) {
                        total += e.getValue().sum();
                    }
                }
            }
        }
        return total;
    }

    private void inc(Counter c, String... values) {
        counters.get(c).computeIfAbsent(List.of(values), k -> new LongAdder()).increment();
    }

    /** Writes the counters; the gauges of live state follow (they need the upstreams, see the call package). */
    public void writeCounters(PrometheusText p) {
        for (Counter c : Counter.values()) {
            p.help(c.metric, "counter", c.help);
            Map<String, Long> rendered = new TreeMap<>();
            counters.get(c).forEach((values, count) -> rendered.put(c.render(values), count.sum()));
            rendered.forEach((labels, count) -> p.sample(c.metric, labels, count));
        }
    }

    public static String name(CircuitBreaker.State s) {
        return s.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    public static String esc(String s) {
        return PrometheusText.escape(s);
    }
}
