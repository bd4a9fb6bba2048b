package dev.loomgate.gateway.http;

import java.nio.charset.StandardCharsets;

import dev.loomgate.gateway.http.Json;

/**
 * An RFC 9457 problem detail with a stable {@code type} per failure kind, so clients and
 * dashboards can tell a missing route from a timed-out upstream without parsing prose.
 */
public record Problem(Type type, String detail) {
    /** Stable problem types. The URI path is the contract; titles are for humans. */
    public enum Type {
        BAD_REQUEST(400, "bad-request", "Malformed request"),
        NO_ROUTE(404, "no-route", "No route matches the request"),
        PAYLOAD_TOO_LARGE(413, "payload-too-large", "Request body too large"),
        TOO_MANY_REQUESTS(429, "rate-limited", "Rate limit exceeded"),
        HEADERS_TOO_LARGE(431, "header-fields-too-large", "Request header fields too large"),
        UPSTREAM_UNREACHABLE(502, "upstream-unreachable", "Upstream could not be reached"),
        BAD_GATEWAY(502, "bad-gateway", "Upstream sent an invalid response"),
        UPSTREAM_TLS(502, "upstream-tls-failed", "TLS handshake with the upstream failed"),
        NO_HEALTHY_ENDPOINT(503, "no-healthy-endpoint", "No healthy upstream endpoint"),
        UPSTREAM_BUSY(503, "upstream-busy", "Upstream connection limit reached"),
        OVERLOADED(503, "overloaded", "Gateway is at its concurrent request limit"),
        UPSTREAM_TIMEOUT(504, "upstream-timeout", "Upstream did not respond in time"),
        CIRCUIT_OPEN(503, "circuit-open", "Upstream circuit breaker is open"),
        UPSTREAM_MAX_IN_FLIGHT(503, "upstream-max-in-flight", "Upstream concurrent request limit reached"),
        UNAUTHORIZED(401, "unauthorized", "Missing or wrong bearer token"),
        NOT_FOUND(404, "not-found", "No such resource"),
        METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
        CONFLICT(409, "conflict", "Conflicts with the current state"),
        FORBIDDEN(403, "forbidden", "Request refused"),
        INVALID_TOKEN(401, "invalid-token", "Missing or invalid credentials"),
        INSUFFICIENT_SCOPE(403, "insufficient-scope", "Credentials lack a required scope or claim"),
        SESSION_STORE_UNAVAILABLE(503, "session-store-unavailable", "Session store unavailable"),
        IDENTITY_PROVIDER_UNAVAILABLE(503, "identity-provider-unavailable", "Identity provider unavailable"),
        REQUEST_TIMEOUT(408, "request-timeout", "Request not received in time"),
        URI_TOO_LONG(414, "uri-too-long", "Request target too long"),
        TOO_MANY_CONNECTIONS(429, "too-many-connections", "Too many connections from this client"),
        NOT_IMPLEMENTED(501, "not-implemented", "Not implemented by the gateway"),
        HTTP_VERSION_NOT_SUPPORTED(505, "http-version-not-supported", "HTTP version not supported"),
        QUEUE_FULL(503, "queue-full", "The route's job queue is full"),
        QUEUE_UNAVAILABLE(503, "queue-unavailable", "The job queue is unavailable"),
        INTERNAL(500, "internal-error", "Internal gateway error");

        private final int status;
        private final String slug;
        private final String title;

        Type(int status, String slug, String title) {
            this.status = status;
            this.slug = slug;
            this.title = title;
        }

        public int status() {
            return status;
        }

        public String slug() {
            return slug;
        }

        public String uri() {
            return "https://loomgate.dev/problems/" + slug;
        }

        public String title() {
            return title;
        }
    }

    public static final String MEDIA_TYPE = "application/problem+json";

    public int status() {
        return type.status();
    }

    public byte[] toJson(String instance, String requestId) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"type\":").append(Json.quote(type.uri()));
        sb.append(",\"title\":").append(Json.quote(type.title()));
        sb.append(",\"status\":").append(type.status());
        sb.append(",\"detail\":").append(Json.quote(detail));
        if (!instance.isEmpty()) {
            sb.append(",\"instance\":").append(Json.quote(instance));
        }
        if (!requestId.isEmpty()) {
            sb.append(",\"requestId\":").append(Json.quote(requestId));
        }
        sb.append('}');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
