package dev.loomgate.gateway.resilience;

import java.util.Objects;
import java.util.Optional;

/**
 * The resilience settings of one upstream (from the routes file).
 *
 * @param timeouts       defaults for routes to this upstream that do not set their own
 * @param healthCheck    active health checks, when configured
 * @param outlier        passive outlier detection, when configured
 * @param circuitBreaker circuit breaker, when configured
 * @param maxInFlight    bulkhead: requests in flight to the upstream at most; 0 = unlimited
 * @param panicMode      when no endpoint is healthy, use all of them instead of answering 503
 */
public record UpstreamResilience(Timeouts timeouts, Optional<HealthCheckSettings> healthCheck,
                                 Optional<OutlierSettings> outlier, Optional<CircuitBreakerSettings> circuitBreaker,
                                 int maxInFlight, boolean panicMode) {
    public static final UpstreamResilience DEFAULTS = new UpstreamResilience(Timeouts.NONE, Optional.empty(),
            Optional.empty(), Optional.empty(), 0, false);

    public UpstreamResilience {
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(healthCheck, "healthCheck");
        Objects.requireNonNull(outlier, "outlier");
        Objects.requireNonNull(circuitBreaker, "circuitBreaker");
    }
}
