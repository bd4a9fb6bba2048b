package dev.loomgate.gateway.client;

import java.time.Duration;

/**
 * Upstream client tuning.
 *
 * @param connectTimeout           TCP connect timeout
 * @param responseTimeout          longest wait for the response head and between body reads
 * @param maxConnectionsPerEndpoint pooled plus in-use connections to one endpoint
 * @param idleTimeout              pooled connections idle longer than this are closed, not reused
 */
public record ClientSettings(Duration connectTimeout,
                             Duration responseTimeout,
                             int maxConnectionsPerEndpoint,
                             Duration idleTimeout) {
    public ClientSettings {
        if (maxConnectionsPerEndpoint < 1) {
            throw new IllegalArgumentException("max-connections-per-endpoint must be >= 1");
        }
    }

    public static ClientSettings defaults() {
        return new ClientSettings(Duration.ofSeconds(2), Duration.ofSeconds(30), 256, Duration.ofSeconds(4));
    }
}
