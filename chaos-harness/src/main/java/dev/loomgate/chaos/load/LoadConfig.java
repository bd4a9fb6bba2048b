package dev.loomgate.chaos.load;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * One bounded load run: an open model at a fixed arrival rate against {@code host:port}, stopped by whichever
 * comes first of {@code maxRequests} and {@code maxDuration}. Build with {@link #builder(String, int)}.
 *
 * @param host               target host (an address of the cluster: 127.0.0.1 or a namespace address)
 * @param port               target port
 * @param paths              request path per kind
 * @param weights            relative share of each kind in the mix (0 disables a kind)
 * @param ratePerSecond      arrival rate; requests are scheduled at exact 1/rate intervals
 * @param maxRequests        stop after this many scheduled requests
 * @param maxDuration        stop scheduling after this long
 * @param maxInFlight        cap on concurrent requests; above it a request is recorded as dropped, not queued
 * @param newConnectionShare share (0..1) of requests that open a fresh TCP connection; the rest reuse a pooled one
 * @param connectTimeout     TCP connect timeout
 * @param readTimeout        socket read timeout (per read, so also the bound for a stalled response)
 * @param maxIdle            a pooled connection idle longer than this is closed instead of reused
 * @param nodeHeader         response header naming the gateway node ({@code X-Loomgate-Node})
 * @param lbHeader           response header naming the load balancer ({@code X-Loomgate-LB})
 * @param idempotencyHeader  request header carrying the idempotency key
 * @param postBody           body sent with POSTs (JSON)
 * @param maxRecords         records kept in memory; later ones are counted but not stored
 * @param seed               seed for the kind mix and the connection choice, so runs are repeatable
 */
public record LoadConfig(String host,
                         int port,
                         Map<RequestKind, String> paths,
                         Map<RequestKind, Integer> weights,
                         double ratePerSecond,
                         long maxRequests,
                         Duration maxDuration,
                         int maxInFlight,
                         double newConnectionShare,
                         Duration connectTimeout,
                         Duration readTimeout,
                         Duration maxIdle,
                         String nodeHeader,
                         String lbHeader,
                         String idempotencyHeader,
                         String postBody,
                         int maxRecords,
                         long seed) {

    public static final int RECORD_LIMIT = 2_000_000;

    public LoadConfig {
        Objects.requireNonNull(host, "host");
        paths = Map.copyOf(paths);
        weights = Map.copyOf(weights);
        require(port > 0 && port < 65536, "port", "must be 1..65535, was " + port);
        require(ratePerSecond > 0 && ratePerSecond <= 100_000, "rate", "must be in (0, 100000] req/s, was " + ratePerSecond);
        require(maxRequests > 0, "max-requests", "must be > 0, was " + maxRequests);
        require(!maxDuration.isNegative() && !maxDuration.isZero(), "max-duration", "must be > 0, was " + maxDuration);
        require(maxInFlight > 0, "max-in-flight", "must be > 0, was " + maxInFlight);
        require(newConnectionShare >= 0 && newConnectionShare <= 1, "new-connection-share",
                "must be within 0..1, was " + newConnectionShare);
        require(maxRecords > 0 && maxRecords <= RECORD_LIMIT, "max-records",
                "must be 1.." + RECORD_LIMIT + ", was " + maxRecords);
        int total = 0;
        for (RequestKind kind : RequestKind.values()) {
            int w = weights.getOrDefault(kind, 0);
            require(w >= 0, "weights." + kind.label(), "must be >= 0, was " + w);
            if (w > 0) {
                require(paths.containsKey(kind), "paths." + kind.label(), "missing although its weight is " + w);
            }
            total += w;
        }
        require(total > 0, "weights", "at least one kind needs a positive weight");
    }

    private static void require(boolean ok, String field, String reason) {
        if (!ok) {
            throw new IllegalArgumentException("load config: " + field + " " + reason);
        }
    }

    public long intervalNanos() {
        return Math.round(1e9 / ratePerSecond);
    }

    public static Builder builder(String host, int port) {
        return new Builder(host, port);
    }

    public static final class Builder {
        private final String host;
        private final int port;
        private final Map<RequestKind, String> paths = new EnumMap<>(RequestKind.class);
        private final Map<RequestKind, Integer> weights = new EnumMap<>(RequestKind.class);
        private double rate = 50;
        private long maxRequests = 1_000;
        private Duration maxDuration = Duration.ofSeconds(30);
        private int maxInFlight = 256;
        private double newConnectionShare = 0.2;
        private Duration connectTimeout = Duration.ofSeconds(1);
        private Duration readTimeout = Duration.ofSeconds(5);
        private Duration maxIdle = Duration.ofSeconds(2);
        private String nodeHeader = "X-Loomgate-Node";
        private String lbHeader = "X-Loomgate-LB";
        private String idempotencyHeader = "Idempotency-Key";
        private String postBody = "{\"chaos\":true}";
        private int maxRecords = RECORD_LIMIT;
        private long seed = 42;

        private Builder(String host, int port) {
            this.host = host;
            this.port = port;
            for (RequestKind kind : RequestKind.values()) {
                paths.put(kind, "/");
            }
            weights.put(RequestKind.GET, 2);
            weights.put(RequestKind.POST_IDEMPOTENT, 1);
            weights.put(RequestKind.POST, 1);
        }

        public Builder path(RequestKind kind, String path) {
            paths.put(kind, path);
            return this;
        }

        /** One path for every kind. */
        public Builder path(String path) {
            for (RequestKind kind : RequestKind.values()) {
                paths.put(kind, path);
            }
            return this;
        }

        public Builder mix(int get, int postWithKey, int post) {
            weights.put(RequestKind.GET, get);
            weights.put(RequestKind.POST_IDEMPOTENT, postWithKey);
            weights.put(RequestKind.POST, post);
            return this;
        }

        public Builder rate(double requestsPerSecond) {
            this.rate = requestsPerSecond;
            return this;
        }

        public Builder maxRequests(long maxRequests) {
            this.maxRequests = maxRequests;
            return this;
        }

        public Builder maxDuration(Duration maxDuration) {
            this.maxDuration = maxDuration;
            return this;
        }

        public Builder maxInFlight(int maxInFlight) {
            this.maxInFlight = maxInFlight;
            return this;
        }

        public Builder newConnectionShare(double share) {
            this.newConnectionShare = share;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder readTimeout(Duration timeout) {
            this.readTimeout = timeout;
            return this;
        }

        public Builder maxIdle(Duration maxIdle) {
            this.maxIdle = maxIdle;
            return this;
        }

        public Builder nodeHeader(String name) {
            this.nodeHeader = name;
            return this;
        }

        public Builder lbHeader(String name) {
            this.lbHeader = name;
            return this;
        }

        public Builder idempotencyHeader(String name) {
            this.idempotencyHeader = name;
            return this;
        }

        public Builder postBody(String body) {
            this.postBody = body;
            return this;
        }

        public Builder maxRecords(int maxRecords) {
            this.maxRecords = maxRecords;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public LoadConfig build() {
            return new LoadConfig(host, port, paths, weights, rate, maxRequests, maxDuration, maxInFlight,
                    newConnectionShare, connectTimeout, readTimeout, maxIdle, nodeHeader, lbHeader,
                    idempotencyHeader, postBody, maxRecords, seed);
        }
    }
}
