package dev.loomgate.gateway.resilience;

import java.time.Duration;

/**
 * Passive outlier detection of an upstream's endpoints.
 *
 * @param consecutiveFailures 5xx answers or failed tries in a row that eject an endpoint
 * @param baseEjectionTime    the first ejection's length; the n-th in a series lasts n times this
 * @param maxEjectionTime     cap of one ejection; also how long without ejection ends a series
 * @param maxEjectionPercent  never eject more than this share of the endpoints (at least one may go
 *                            when the percentage allows any: 1..100)
 */
public record OutlierSettings(int consecutiveFailures, Duration baseEjectionTime, Duration maxEjectionTime,
                              int maxEjectionPercent) {
    public static final OutlierSettings DEFAULTS = new OutlierSettings(5, Duration.ofSeconds(30), Duration.ofMinutes(5), 50);
}
