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
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT = 256;
    /** Below common upstream keep-alive timeouts (Node.js closes idle connections after 5 s), so the pool lets go first. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(4);

    public ClientSettings {
        if (maxConnectionsPerEndpoint < 1) {
            throw new IllegalArgumentException("max-connections-per-endpoint must be >= 1");
        }
    }

    public static ClientSettings defaults() {
        return new ClientSettings(DEFAULT_CONNECT_TIMEOUT, DEFAULT_RESPONSE_TIMEOUT, DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT,
                DEFAULT_IDLE_TIMEOUT);
    }
}
