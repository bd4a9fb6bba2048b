package dev.loomgate.gateway.resilience;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

import dev.loomgate.gateway.upstream.Upstream;

/**
 * Live per-upstream guards (circuit breaker, bulkhead) and per-route retry budgets, keyed by
 * name so they survive config reloads: a breaker is replaced only when its settings change, a
 * bulkhead keeps its in-flight count and just takes the new cap.
 */
public final class ResilienceRegistry {
    private static final Logger LOG = Logger.getLogger(ResilienceRegistry.class.getName());

    /** The guards of one upstream. */
    public static final class Guards {
        private final String upstream;
        private final Bulkhead bulkhead = new Bulkhead(0);
        private volatile Optional<CircuitBreaker> breaker = Optional.empty();
        private volatile UpstreamResilience seen;

        private Guards(String upstream) {
            this.upstream = upstream;
        }

        public Bulkhead bulkhead() {
            return bulkhead;
        }

        public Optional<CircuitBreaker> breaker() {
            return breaker;
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

    /** The guards of {@code u}, brought in line with its current settings. */
    public Guards guards(Upstream u) {
        Guards g = guards.computeIfAbsent(u.name(), Guards::new);
        UpstreamResilience r = u.definition().resilience();
        if (g.seen != r) {
            sync(g, r);
        }
        return g;
    }

    private void sync(Guards g, UpstreamResilience r) {
        synchronized (g) { // only arithmetic and object creation inside
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
            g.seen = r;
        }
    }

    /** The retry budget of a route, replaced when its budget settings change. */
    public RetryBudget budget(String routeId, RetryPolicy p) {
        return budgets.compute(routeId, (k, b) -> b != null && b.percent() == p.budgetPercent()
                && b.minPerSecond() == p.budgetMinPerSecond() ? b : new RetryBudget(p.budgetPercent(), p.budgetMinPerSecond()));
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
