package dev.loomgate.gateway.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import dev.loomgate.gateway.frontdoor.FrontDoorSettings;
import dev.loomgate.gateway.tls.ServerTlsSettings;

/**
 * Rules for client connections on the proxy listener ({@code front-door:}; request size limits are in
 * {@link NodeLimits}). The defaults are {@link FrontDoorSettings}' (nginx/HAProxy-like).
 *
 * @param headerReadTimeout       the whole request head must arrive within this (408 and close)
 * @param bodyIdleTimeout         longest pause between request body bytes (408, a client error)
 * @param keepAliveTimeout        an idle persistent connection is closed after this
 * @param writeTimeout            a response write blocked longer than this closes the connection
 * @param maxConnections          open client connections (excess: 503 and close)
 * @param maxConnectionsPerClient open connections from one client IP (excess: 429 and close)
 * @param maxHeaderCount          header fields in a request (431)
 * @param allowTrace              forward TRACE (default: 405)
 * @param tls                     TLS on the proxy port ({@code front-door.tls}); empty = plain HTTP
 */
public record FrontDoorConfig(Duration headerReadTimeout, Duration bodyIdleTimeout, Duration keepAliveTimeout,
                              Duration writeTimeout, int maxConnections, int maxConnectionsPerClient,
                              int maxHeaderCount, boolean allowTrace, Optional<ServerTlsSettings> tls) {
    /** Plain HTTP. */
    public FrontDoorConfig(Duration headerReadTimeout, Duration bodyIdleTimeout, Duration keepAliveTimeout,
                           Duration writeTimeout, int maxConnections, int maxConnectionsPerClient,
                           int maxHeaderCount, boolean allowTrace) {
        this(headerReadTimeout, bodyIdleTimeout, keepAliveTimeout, writeTimeout, maxConnections, maxConnectionsPerClient,
                maxHeaderCount, allowTrace, Optional.empty());
    }

    public FrontDoorConfig {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(headerReadTimeout, "headerReadTimeout");
        Objects.requireNonNull(bodyIdleTimeout, "bodyIdleTimeout");
        Objects.requireNonNull(keepAliveTimeout, "keepAliveTimeout");
        Objects.requireNonNull(writeTimeout, "writeTimeout");
    }

    public static FrontDoorConfig defaults() {
        return new FrontDoorConfig(FrontDoorSettings.DEFAULT_HEADER_READ_TIMEOUT,
                FrontDoorSettings.DEFAULT_BODY_IDLE_TIMEOUT, FrontDoorSettings.DEFAULT_KEEP_ALIVE_TIMEOUT,
                FrontDoorSettings.DEFAULT_WRITE_TIMEOUT, FrontDoorSettings.DEFAULT_MAX_CONNECTIONS,
                FrontDoorSettings.DEFAULT_MAX_CONNECTIONS_PER_CLIENT, FrontDoorSettings.DEFAULT_MAX_HEADER_COUNT,
                FrontDoorSettings.DEFAULT_ALLOW_TRACE);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Edits a {@link FrontDoorConfig}; start from {@link FrontDoorConfig#toBuilder()}. */
    public static final class Builder {
        private Duration headerReadTimeout;
        private Duration bodyIdleTimeout;
        private Duration keepAliveTimeout;
        private Duration writeTimeout;
        private int maxConnections;
        private int maxConnectionsPerClient;
        private int maxHeaderCount;
        private boolean allowTrace;
        private Optional<ServerTlsSettings> tls;

        private Builder(FrontDoorConfig f) {
            tls = f.tls;
            headerReadTimeout = f.headerReadTimeout;
            bodyIdleTimeout = f.bodyIdleTimeout;
            keepAliveTimeout = f.keepAliveTimeout;
            writeTimeout = f.writeTimeout;
            maxConnections = f.maxConnections;
            maxConnectionsPerClient = f.maxConnectionsPerClient;
            maxHeaderCount = f.maxHeaderCount;
            allowTrace = f.allowTrace;
        }

        public Builder headerReadTimeout(Duration v) {
            headerReadTimeout = v;
            return this;
        }

        public Builder bodyIdleTimeout(Duration v) {
            bodyIdleTimeout = v;
            return this;
        }

        public Builder keepAliveTimeout(Duration v) {
            keepAliveTimeout = v;
            return this;
        }

        public Builder writeTimeout(Duration v) {
            writeTimeout = v;
            return this;
        }

        public Builder maxConnections(int v) {
            maxConnections = v;
            return this;
        }

        public Builder maxConnectionsPerClient(int v) {
            maxConnectionsPerClient = v;
            return this;
        }

        public Builder maxHeaderCount(int v) {
            maxHeaderCount = v;
            return this;
        }

        public Builder allowTrace(boolean v) {
            allowTrace = v;
            return this;
        }

        public Builder tls(ServerTlsSettings v) {
            tls = Optional.of(v);
            return this;
        }

        public FrontDoorConfig build() {
            return new FrontDoorConfig(headerReadTimeout, bodyIdleTimeout, keepAliveTimeout, writeTimeout,
                    maxConnections, maxConnectionsPerClient, maxHeaderCount, allowTrace, tls);
        }
    }
}
