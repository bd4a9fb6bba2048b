package dev.loomgate.gateway.config;

import dev.loomgate.gateway.frontdoor.FrontDoorSettings;
import dev.loomgate.gateway.yaml.ConfigSize;

/**
 * Request limits of the node ({@code limits:}); the defaults are {@link FrontDoorSettings}' and {@link ConfigSize}'s.
 *
 * @param maxHeaderSize         bytes of all request headers
 * @param maxBodySize           bytes of a request body; 0 = unlimited
 * @param maxConcurrentRequests requests in flight on this node
 * @param maxRequestLine        bytes of the request line
 * @param maxConfigSize         bytes of the routes file and of Consul KV route values, counted before parsing
 */
public record NodeLimits(int maxHeaderSize, long maxBodySize, int maxConcurrentRequests, int maxRequestLine,
                         long maxConfigSize) {
    public static NodeLimits defaults() {
        return new NodeLimits(FrontDoorSettings.DEFAULT_MAX_HEADER_SIZE, FrontDoorSettings.DEFAULT_MAX_BODY_SIZE,
                FrontDoorSettings.DEFAULT_MAX_CONCURRENT_REQUESTS, FrontDoorSettings.DEFAULT_MAX_REQUEST_LINE,
                ConfigSize.DEFAULT_MAX);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Edits {@link NodeLimits}; start from {@link NodeLimits#toBuilder()}. */
    public static final class Builder {
        private int maxHeaderSize;
        private long maxBodySize;
        private int maxConcurrentRequests;
        private int maxRequestLine;
        private long maxConfigSize;

        private Builder(NodeLimits l) {
            maxHeaderSize = l.maxHeaderSize;
            maxBodySize = l.maxBodySize;
            maxConcurrentRequests = l.maxConcurrentRequests;
            maxRequestLine = l.maxRequestLine;
            maxConfigSize = l.maxConfigSize;
        }

        public Builder maxHeaderSize(int v) {
            maxHeaderSize = v;
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

        public Builder maxRequestLine(int v) {
            maxRequestLine = v;
            return this;
        }

        public Builder maxConfigSize(long v) {
            maxConfigSize = v;
            return this;
        }

        public NodeLimits build() {
            return new NodeLimits(maxHeaderSize, maxBodySize, maxConcurrentRequests, maxRequestLine, maxConfigSize);
        }
    }
}
