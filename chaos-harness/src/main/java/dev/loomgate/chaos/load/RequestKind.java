package dev.loomgate.chaos.load;

/** The kinds of request the load generator mixes; idempotency decides what a client may safely retry. */
public enum RequestKind {
    /** A GET: idempotent by definition. */
    GET("GET", true),
    /** A POST carrying an {@code Idempotency-Key} header: the gateway may retry it. */
    POST_IDEMPOTENT("POST", true),
    /** A plain POST: must never be replayed, so a failure in flight may be visible to the client. */
    POST("POST", false);

    private final String method;
    private final boolean idempotent;

    RequestKind(String method, boolean idempotent) {
        this.method = method;
        this.idempotent = idempotent;
    }

    public String method() {
        return method;
    }

    public boolean idempotent() {
        return idempotent;
    }

    /** Short label used in CSV, JSON and reports: {@code GET}, {@code POST+key}, {@code POST}. */
    public String label() {
        return switch (this) {
            case GET -> "GET";
            case POST_IDEMPOTENT -> "POST+key";
            case POST -> "POST";
        };
    }

    public static RequestKind fromLabel(String label) {
        for (RequestKind kind : values()) {
            if (kind.label().equals(label) || kind.name().equals(label)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown request kind '" + label + "' (expected GET, POST+key or POST)");
    }
}
