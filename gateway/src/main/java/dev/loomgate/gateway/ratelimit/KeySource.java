package dev.loomgate.gateway.ratelimit;

import dev.loomgate.gateway.http.RequestView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which part of a request names the bucket. {@link #resolve} is empty when the request lacks that part (no such
 * header, cookie or path variable); the caller decides what then happens (for example limit such requests under a
 * shared {@code "anonymous"} key, or reject them).
 */
public sealed interface KeySource {

    Optional<String> resolve(RequestView request, Map<String, String> pathVariables);

    /**
     * As {@link #resolve(RequestView, Map)}, knowing the authenticated consumer.
     *
     * @param consumer the consumer an authentication filter admitted the request as; empty when none did
     */
    default Optional<String> resolve(RequestView request, Map<String, String> pathVariables, String consumer) {
        return resolve(request, pathVariables);
    }

    /** The config spelling, e.g. {@code header:X-Api-Key}. */
    String describe();

    /**
     * The client address. With {@code trustedHops = 0} {@link RequestView#clientIp()}: the TCP peer, or behind a proxy
     * in {@code forwarded.trusted-proxies} the client it reports. With N trusted proxies in front (each appending
     * to X-Forwarded-For), the N-th address from the right of X-Forwarded-For: entries further left were written by
     * the client itself and can be forged. When the header has fewer entries than that, the leftmost is used.
     * The header is read only when the peer itself is a trusted proxy: from anyone else it is the client's own
     * word, and a client that wrote it could pick its bucket.
     */
    record ClientIp(int trustedHops) implements KeySource {
        public ClientIp {
            if (trustedHops < 0 || trustedHops > 16) {
                throw new IllegalArgumentException("trusted-hops: must be in 0..16, got " + trustedHops);
            }
        }

        @Override
        public Optional<String> resolve(RequestView request, Map<String, String> pathVariables) {
            if (trustedHops > 0 && request.peerIsTrustedProxy()) {
                List<String> hops = new ArrayList<>();
                for (String value : request.headerValues("X-Forwarded-For")) {
                    for (String part : value.split(",")) {
                        String hop = part.strip();
                        if (!hop.isEmpty()) {
                            hops.add(hop);
                        }
                    }
                }
                if (!hops.isEmpty()) {
                    return Optional.of(hops.get(Math.max(0, hops.size() - trustedHops)));
                }
            }
            String peer = request.clientIp();
            return peer.isEmpty() ? Optional.empty() : Optional.of(peer);
        }

        @Override
        public String describe() {
            return "client-ip";
        }
    }

    /** First value of a request header. */
    record Header(String name) implements KeySource {
        public Header {
            requireName(name, "header");
        }

        @Override
        public Optional<String> resolve(RequestView request, Map<String, String> pathVariables) {
            return request.header(name).filter(v -> !v.isEmpty());
        }

        @Override
        public String describe() {
            return "header:" + name;
        }
    }

    /** A cookie value. */
    record Cookie(String name) implements KeySource {
        public Cookie {
            requireName(name, "cookie");
        }

        @Override
        public Optional<String> resolve(RequestView request, Map<String, String> pathVariables) {
            return request.cookie(name).filter(v -> !v.isEmpty());
        }

        @Override
        public String describe() {
            return "cookie:" + name;
        }
    }

    /** A variable of the matched route path, e.g. {@code id} in {@code /users/{id}}. */
    record PathVariable(String name) implements KeySource {
        public PathVariable {
            requireName(name, "path");
        }

        @Override
        public Optional<String> resolve(RequestView request, Map<String, String> pathVariables) {
            return Optional.ofNullable(pathVariables.get(name)).filter(v -> !v.isEmpty());
        }

        @Override
        public String describe() {
            return "path:" + name;
        }
    }

    /**
     * The authenticated consumer (JWT subject, API key consumer, introspected {@code sub}/{@code client_id}), set
     * by the route's authentication filter, which runs before the rate limit. Requests without one (no
     * authentication filter on the route) share the anonymous bucket.
     */
    record Consumer() implements KeySource {
        @Override
        public Optional<String> resolve(RequestView request, Map<String, String> pathVariables) {
            return Optional.empty();
        }

        @Override
        public Optional<String> resolve(RequestView request, Map<String, String> pathVariables, String consumer) {
            // prefixed so that a consumer named like a client address never shares its bucket
            return consumer.isEmpty() ? Optional.empty() : Optional.of("consumer:" + consumer);
        }

        @Override
        public String describe() {
            return "consumer";
        }
    }

    /** One bucket for the whole route (all clients together). */
    record Route() implements KeySource {
        /** The constant key; buckets are per route anyway (see {@link RateLimiter#tryAcquire}). */
        public static final String KEY = "*";

        @Override
        public Optional<String> resolve(RequestView request, Map<String, String> pathVariables) {
            return Optional.of(KEY);
        }

        @Override
        public String describe() {
            return "route";
        }
    }

    private static void requireName(String name, String kind) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("key: " + kind + ": needs a name, e.g. " + kind + ":X-Api-Key");
        }
    }
}
