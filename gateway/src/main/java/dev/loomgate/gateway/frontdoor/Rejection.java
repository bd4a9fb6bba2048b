package dev.loomgate.gateway.frontdoor;

/**
 * Why the front door refused a request or connection; the handler turns it into a response body
 * (the front door knows nothing of problem+json). The HTTP status is the kind's.
 */
public record Rejection(Kind kind, String detail) {
    /** Refusal kinds, each with its HTTP status. */
    public enum Kind {
        BAD_REQUEST(400, "Bad Request"),
        REQUEST_TIMEOUT(408, "Request Timeout"),
        METHOD_NOT_ALLOWED(405, "Method Not Allowed"),
        PAYLOAD_TOO_LARGE(413, "Content Too Large"),
        URI_TOO_LONG(414, "URI Too Long"),
        TOO_MANY_CONNECTIONS(429, "Too Many Requests"),
        HEADERS_TOO_LARGE(431, "Request Header Fields Too Large"),
        INTERNAL(500, "Internal Server Error"),
        NOT_IMPLEMENTED(501, "Not Implemented"),
        OVERLOADED(503, "Service Unavailable"),
        VERSION_NOT_SUPPORTED(505, "HTTP Version Not Supported");

        private final int status;
        private final String reason;

        Kind(int status, String reason) {
            this.status = status;
            this.reason = reason;
        }

        public int status() {
            return status;
        }

        public String reason() {
            return reason;
        }
    }

    public int status() {
        return kind.status();
    }
}
