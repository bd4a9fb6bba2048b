package dev.loomgate.gateway.proxy;

/** Method semantics the proxy relies on (RFC 9110 §9.2). */
public final class Methods {
    private Methods() {
    }

    /** GET, HEAD, OPTIONS, TRACE, PUT and DELETE may be repeated without changing the outcome. */
    public static boolean idempotent(String method) {
        return switch (method) {
            case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
            default -> false;
        };
    }
}
