package dev.loomgate.gateway.resilience;

import java.time.Duration;

/**
 * @param window           outcomes remembered (the last N tries); the breaker judges only a full window
 * @param failureRatio     percentage of failures in the window that opens the breaker (1..100)
 * @param openFor          how long an open breaker rejects before letting probes through
 * @param halfOpenRequests probes let through while half-open; all must succeed to close
 */
public record CircuitBreakerSettings(int window, int failureRatio, Duration openFor, int halfOpenRequests) {
    public static final CircuitBreakerSettings DEFAULTS = new CircuitBreakerSettings(20, 50, Duration.ofSeconds(10), 3);

    public CircuitBreakerSettings {
        if (window < 1 || failureRatio < 1 || failureRatio > 100 || halfOpenRequests < 1 || openFor.isNegative()) {
            throw new IllegalArgumentException("invalid circuit breaker settings");
        }
    }
}
