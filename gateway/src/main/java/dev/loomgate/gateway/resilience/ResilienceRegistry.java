package dev.loomgate.gateway.resilience;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Live per-upstream guards (circuit breaker, bulkhead, outlier detector) and per-route retry
 * budgets, keyed by name so they survive config reloads: a breaker or detector is replaced only
 * when its settings change, a bulkhead keeps its in-flight count and just takes the new cap.
 * {@link #retain} drops the state of upstreams and routes that the applied config no longer has.
 */
public final class ResilienceRegistry {
    private static final Logger LOG = Logger.getLogger(ResilienceRegistry.class.getName());

    /** The guards of one upstream. */
    public static final class Guards {
        private final String upstream;
        private final Bulkhead bulkhead = new Bulkhead(0);
        private volatile Optional<CircuitBreaker> breaker = Optional.empty();
        private volatile Optional<OutlierDetector> outlier = Optional.empty();
        private volatile UpstreamResilience seen;

        private Guards(String upstream) {
            this.upstream = upstream;
        }

        public String upstream() {
            return upstream;
        }

        public Bulkhead bulkhead() {
            return bulkhead;
        }

        public Optional<CircuitBreaker> breaker() {
            return breaker;
        }

        /** Present when the upstream has {@code outlier-detection:}; shared by all its requests. */
        public Optional<OutlierDetector> outlier() {
            return outlier;
        }
    }

    private final Map<String, Guards> guards = new ConcurrentHashMap<>();
    private final Map<String, RetryBudget> budgets = new ConcurrentHashMap<>();
    private final ResilienceMetrics metrics;

    public ResilienceRegistry(ResilienceMetrics metrics) {
        this.metrics = metrics;
    }

    public ResilienceMetrics metrics() {
        return metrics;
    }

    /** The guards of upstream {@code name}, brought in line with its settings {@code r}. */
    public Guards guards(String name, UpstreamResilience r) {
        Guards g = guards.computeIfAbsent(name, Guards::new);
        if (g.seen != r) {
            sync(g, r);
        }
        return g;
    }

    private void sync(Guards g, UpstreamResilience r) {
        synchronized (g) { // config changes only; only arithmetic and object creation inside
            if (g.seen == r) {
                return;
            }
            g.bulkhead.max(r.maxInFlight());
            Optional<CircuitBreakerSettings> want = r.circuitBreaker();
            Optional<CircuitBreakerSettings> have = g.breaker.map(CircuitBreaker::settings);
            if (!want.equals(have)) {
                g.breaker = want.map(s -> new CircuitBreaker(s, (from, to) -> {
                    metrics.breakerChanged(g.upstream, from, to);
                    LOG.warning(() -> "upstream '" + g.upstream + "': circuit breaker " + ResilienceMetrics.name(from)
                            + " -> " + ResilienceMetrics.name(to));
                }));
            }
            if (!r.outlier().equals(g.outlier.map(OutlierDetector::settings))) {
                g.outlier = r.outlier().map(s -> new OutlierDetector(g.upstream, s));
            }
            g.seen = r;
        }
    }

    /** The retry budget of a route, replaced when its budget settings change. */
    public RetryBudget budget(String routeId, RetryPolicy p) {
        RetryBudget b = budgets.get(routeId);
        if (b != null && b.percent() == p.budgetPercent() && b.minPerSecond() == p.budgetMinPerSecond()) {
            return b; // the usual case: no write to the map on the request path
        }
        return budgets.compute(routeId, (k, old) -> old != null && old.percent() == p.budgetPercent()
                && old.minPerSecond() == p.budgetMinPerSecond() ? old : new RetryBudget(p.budgetPercent(), p.budgetMinPerSecond()));
    }

    /**
     * Forgets the guards of upstreams and the budgets of routes not named here: called with the
     * names of an applied config, so deleted ones do not stay in memory (and in the metrics) for
     * good. A request still running on a dropped upstream keeps the guards it holds.
     */
    public void retain(Set<String> upstreams, Set<String> routes) {
        guards.keySet().retainAll(upstreams);
        budgets.keySet().retainAll(routes);
    }

    /** Upstreams and routes that have live state (admin, tests). */
    public Set<String> upstreamsWithGuards() {
        return Set.copyOf(guards.keySet());
    }

    public Set<String> routesWithBudgets() {
        return Set.copyOf(budgets.keySet());
    }

    public Optional<CircuitBreaker> breaker(String upstream) {
        Guards g = guards.get(upstream);
        return g == null ? Optional.empty() : g.breaker;
    }

    public int inFlight(String upstream) {
        Guards g = guards.get(upstream);
        return g == null ? 0 : g.bulkhead.inFlight();
    }
}
