package dev.loomgate.gateway.resilience;

import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResilienceRegistryTest {
    private static final UpstreamResilience GUARDED = new UpstreamResilience(Timeouts.NONE, Optional.empty(),
            Optional.of(OutlierSettings.DEFAULTS), Optional.of(CircuitBreakerSettings.DEFAULTS), 3, false);
    private final ResilienceRegistry registry = new ResilienceRegistry(new ResilienceMetrics());

    @Test
    void retainDropsWhatTheConfigNoLongerHas() {
        ResilienceRegistry.Guards a = registry.guards("a", GUARDED);
        registry.guards("b", GUARDED);
        RetryBudget ra = registry.budget("ra", RetryPolicy.NONE);
        registry.budget("rb", RetryPolicy.NONE);

        registry.retain(Set.of("a"), Set.of("ra"));

        assertEquals(Set.of("a"), registry.upstreamsWithGuards());
        assertEquals(Set.of("ra"), registry.routesWithBudgets());
        assertTrue(registry.breaker("b").isEmpty());
        assertEquals(0, registry.inFlight("b"));
        assertSame(a, registry.guards("a", GUARDED), "what stays keeps its state");
        assertSame(ra, registry.budget("ra", RetryPolicy.NONE));
        assertNotSame(registry.guards("b", GUARDED), a, "a returning upstream starts afresh");
    }

    @Test
    void guardsFollowTheSettings() {
        ResilienceRegistry.Guards g = registry.guards("a", GUARDED);
        assertEquals(3, g.bulkhead().max());
        assertTrue(g.breaker().isPresent());
        assertTrue(g.outlier().isPresent());
        CircuitBreaker breaker = g.breaker().orElseThrow();
        OutlierDetector detector = g.outlier().orElseThrow();
        registry.guards("a", new UpstreamResilience(Timeouts.NONE, Optional.empty(), Optional.of(OutlierSettings.DEFAULTS),
                Optional.of(CircuitBreakerSettings.DEFAULTS), 7, false));
        assertEquals(7, g.bulkhead().max());
        assertSame(breaker, g.breaker().orElseThrow(), "unchanged settings keep the breaker's state");
        assertSame(detector, g.outlier().orElseThrow());
        registry.guards("a", UpstreamResilience.DEFAULTS);
        assertTrue(g.breaker().isEmpty());
        assertTrue(g.outlier().isEmpty());
        assertEquals(0, g.bulkhead().max());
    }
}
