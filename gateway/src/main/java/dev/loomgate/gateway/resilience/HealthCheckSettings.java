package dev.loomgate.gateway.resilience;

import java.time.Duration;
import java.util.Set;

/**
 * Active health checks of an upstream's endpoints: {@code GET path} every {@code interval}.
 *
 * @param expectedStatuses statuses that count as healthy (default 200..299)
 */
public record HealthCheckSettings(String path, Duration interval, Duration timeout, int healthyThreshold,
                                  int unhealthyThreshold, Set<Integer> expectedStatuses) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_HEALTHY_THRESHOLD = 2;
    public static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;

    public HealthCheckSettings {
        expectedStatuses = Set.copyOf(expectedStatuses);
    }
}
