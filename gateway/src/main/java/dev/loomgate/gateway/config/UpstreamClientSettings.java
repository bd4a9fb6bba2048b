package dev.loomgate.gateway.config;

import java.time.Duration;
import java.util.Objects;

import dev.loomgate.gateway.client.ClientSettings;

/** The upstream HTTP client ({@code upstream:}); its defaults are {@link ClientSettings}'. */
public record UpstreamClientSettings(Duration connectTimeout, Duration responseTimeout,
                                     int maxConnectionsPerEndpoint, Duration idleTimeout) {
    public UpstreamClientSettings {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(responseTimeout, "responseTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
    }

    public static UpstreamClientSettings defaults() {
        return new UpstreamClientSettings(ClientSettings.DEFAULT_CONNECT_TIMEOUT,
                ClientSettings.DEFAULT_RESPONSE_TIMEOUT, ClientSettings.DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT,
                ClientSettings.DEFAULT_IDLE_TIMEOUT);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Edits {@link UpstreamClientSettings}; start from {@link UpstreamClientSettings#toBuilder()}. */
    public static final class Builder {
        private Duration connectTimeout;
        private Duration responseTimeout;
        private int maxConnectionsPerEndpoint;
        private Duration idleTimeout;

        private Builder(UpstreamClientSettings u) {
            connectTimeout = u.connectTimeout;
            responseTimeout = u.responseTimeout;
            maxConnectionsPerEndpoint = u.maxConnectionsPerEndpoint;
            idleTimeout = u.idleTimeout;
        }

        public Builder connectTimeout(Duration v) {
            connectTimeout = v;
            return this;
        }

        public Builder responseTimeout(Duration v) {
            responseTimeout = v;
            return this;
        }

        public Builder maxConnectionsPerEndpoint(int v) {
            maxConnectionsPerEndpoint = v;
            return this;
        }

        public Builder idleTimeout(Duration v) {
            idleTimeout = v;
            return this;
        }

        public UpstreamClientSettings build() {
            return new UpstreamClientSettings(connectTimeout, responseTimeout, maxConnectionsPerEndpoint,
                    idleTimeout);
        }
    }
}
