package dev.loomgate.gateway.frontdoor;

/** The request head broke a rule: answer the rejection and close the connection. */
final class RequestRejected extends Exception {
    private final transient Rejection rejection;

    RequestRejected(Rejection.Kind kind, String detail) {
        super(detail, null, false, false); // a client fault, not a bug: no stack trace
        this.rejection = new Rejection(kind, detail);
    }

    Rejection rejection() {
        return rejection;
    }
}
