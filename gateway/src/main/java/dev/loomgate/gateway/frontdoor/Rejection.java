package dev.loomgate.gateway.frontdoor;

/**
 * Why the front door refused a request or connection; the handler turns it into a response body
 * (the front door knows nothing of problem+json). The HTTP status is the kind's.
 */
public record Rejection(Kind kind, String detail) {
    /** Refusal kinds, each with its HTTP status. */
    public enum Kind {
        BAD_REQUEST(400),
        REQUEST_TIMEOUT(408),
        METHOD_NOT_ALLOWED(405),
        PAYLOAD_TOO_LARGE(413),
        URI_TOO_LONG(414),
        TOO_MANY_CONNECTIONS(429),
        HEADERS_TOO_LARGE(431),
        INTERNAL(500),
        NOT_IMPLEMENTED(501),
        OVERLOADED(503),
        VERSION_NOT_SUPPORTED(505);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    public int status() {
        return kind.status();
    }
}
