package dev.loomgate.gateway.frontdoor;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything the front door enforces on client connections. Immutable; build with {@link #builder()}.
 *
 * @param host                    address to bind
 * @param port                    port to bind; 0 picks a free one ({@link FrontDoorServer#port()})
 * @param maxRequestLine          bytes of the request line (longer: 414)
 * @param maxHeaderSize           bytes of the header section, also the bound for a chunked body's trailers (431)
 * @param maxHeaderCount          header fields in a request (431)
 * @param maxBodySize             bytes of a request body; 0 = unlimited (413)
 * @param maxConcurrentRequests   requests being handled at once on this listener (503)
 * @param maxConnections          open client connections (excess: 503 and close)
 * @param maxConnectionsPerClient open connections from one client IP (excess: 429 and close)
 * @param headerReadTimeout       the whole request head must arrive within this (408 and close)
 * @param bodyIdleTimeout         longest pause between request body bytes (client fault: 408)
 * @param keepAliveTimeout        how long an idle persistent connection waits for its next request
 * @param writeTimeout            longest a single response write may block on a slow reader (then closed)
 * @param maxChunkExtension       bytes of a chunk-size line including its (ignored) extensions
 * @param lingerBytes             an unread request body up to this size is drained after an early answer
 *                                so the connection can be kept; larger ones close it
 * @param allowTrace              whether TRACE is forwarded (405 otherwise)
 * @param stopGrace               how long {@link FrontDoorServer#stop()} lets in-flight requests finish
 */
public record FrontDoorSettings(String host, int port, int maxRequestLine, int maxHeaderSize, int maxHeaderCount,
                                long maxBodySize, int maxConcurrentRequests, int maxConnections,
                                int maxConnectionsPerClient, Duration headerReadTimeout, Duration bodyIdleTimeout,
                                Duration keepAliveTimeout, Duration writeTimeout, int maxChunkExtension,
                                int lingerBytes, boolean allowTrace, Duration stopGrace) {
    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_MAX_REQUEST_LINE = 8_192;
    public static final int DEFAULT_MAX_HEADER_SIZE = 16_384;
    public static final int DEFAULT_MAX_HEADER_COUNT = 100;
    public static final long DEFAULT_MAX_BODY_SIZE = 100L * 1024 * 1024;
    public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 10_000;
    public static final int DEFAULT_MAX_CONNECTIONS = 20_000;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 256;
    /** HAProxy {@code timeout http-request}. */
    public static final Duration DEFAULT_HEADER_READ_TIMEOUT = Duration.ofSeconds(10);
    /** nginx {@code client_body_timeout}. */
    public static final Duration DEFAULT_BODY_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** nginx {@code keepalive_timeout}: above HAProxy's idle server-connection purge, so the LB closes first. */
    public static final Duration DEFAULT_KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(75);
    /** nginx {@code send_timeout}. */
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(60);
    public static final boolean DEFAULT_ALLOW_TRACE = false;

    public FrontDoorSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(headerReadTimeout, "headerReadTimeout");
        Objects.requireNonNull(bodyIdleTimeout, "bodyIdleTimeout");
        Objects.requireNonNull(keepAliveTimeout, "keepAliveTimeout");
        Objects.requireNonNull(writeTimeout, "writeTimeout");
        Objects.requireNonNull(stopGrace, "stopGrace");
        positive("max-request-line", maxRequestLine);
        positive("max-header-size", maxHeaderSize);
        positive("max-header-count", maxHeaderCount);
        positive("max-concurrent-requests", maxConcurrentRequests);
        positive("max-connections", maxConnections);
        positive("max-connections-per-client", maxConnectionsPerClient);
        positive("max-chunk-extension", maxChunkExtension);
        if (port < 0 || port > 65535 || maxBodySize < 0 || lingerBytes < 0) {
            throw new IllegalArgumentException("port, max-body-size and linger-bytes must not be negative");
        }
        for (Duration d : new Duration[] {headerReadTimeout, bodyIdleTimeout, keepAliveTimeout, writeTimeout}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("front-door timeouts must be > 0, got " + d);
            }
        }
    }

    private static void positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + v);
        }
    }

    /** Defaults close to nginx's and HAProxy's (see docs/CONFIG.md). */
    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builder; every setter returns the builder. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private int maxRequestLine = DEFAULT_MAX_REQUEST_LINE;
        private int maxHeaderSize = DEFAULT_MAX_HEADER_SIZE;
        private int maxHeaderCount = DEFAULT_MAX_HEADER_COUNT;
        private long maxBodySize = DEFAULT_MAX_BODY_SIZE;
        private int maxConcurrentRequests = DEFAULT_MAX_CONCURRENT_REQUESTS;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxConnectionsPerClient = DEFAULT_MAX_CONNECTIONS_PER_CLIENT;
        private Duration headerReadTimeout = DEFAULT_HEADER_READ_TIMEOUT;
        private Duration bodyIdleTimeout = DEFAULT_BODY_IDLE_TIMEOUT;
        private Duration keepAliveTimeout = DEFAULT_KEEP_ALIVE_TIMEOUT;
        private Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;
        private int maxChunkExtension = 4_096;
        private int lingerBytes = 64 * 1024;
        private boolean allowTrace = DEFAULT_ALLOW_TRACE;
        private Duration stopGrace = Duration.ofSeconds(1);

        private Builder() {
        }

        private Builder(FrontDoorSettings s) {
            host = s.host;
            port = s.port;
            maxRequestLine = s.maxRequestLine;
            maxHeaderSize = s.maxHeaderSize;
            maxHeaderCount = s.maxHeaderCount;
            maxBodySize = s.maxBodySize;
            maxConcurrentRequests = s.maxConcurrentRequests;
            maxConnections = s.maxConnections;
            maxConnectionsPerClient = s.maxConnectionsPerClient;
            headerReadTimeout = s.headerReadTimeout;
            bodyIdleTimeout = s.bodyIdleTimeout;
            keepAliveTimeout = s.keepAliveTimeout;
            writeTimeout = s.writeTimeout;
            maxChunkExtension = s.maxChunkExtension;
            lingerBytes = s.lingerBytes;
            allowTrace = s.allowTrace;
            stopGrace = s.stopGrace;
        }

        public Builder host(String v) {
            host = v;
            return this;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        public Builder maxRequestLine(int v) {
            maxRequestLine = v;
            return this;
        }

        public Builder maxHeaderSize(int v) {
            maxHeaderSize = v;
            return this;
        }

        public Builder maxHeaderCount(int v) {
            maxHeaderCount = v;
            return this;
        }

        public Builder maxBodySize(long v) {
            maxBodySize = v;
            return this;
        }

        public Builder maxConcurrentRequests(int v) {
            maxConcurrentRequests = v;
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

        public Builder maxChunkExtension(int v) {
            maxChunkExtension = v;
            return this;
        }

        public Builder lingerBytes(int v) {
            lingerBytes = v;
            return this;
        }

        public Builder allowTrace(boolean v) {
            allowTrace = v;
            return this;
        }

        public Builder stopGrace(Duration v) {
            stopGrace = v;
            return this;
        }

        public FrontDoorSettings build() {
            return new FrontDoorSettings(host, port, maxRequestLine, maxHeaderSize, maxHeaderCount, maxBodySize,
                    maxConcurrentRequests, maxConnections, maxConnectionsPerClient, headerReadTimeout, bodyIdleTimeout,
                    keepAliveTimeout, writeTimeout, maxChunkExtension, lingerBytes, allowTrace, stopGrace);
        }
    }
}
