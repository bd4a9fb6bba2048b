package dev.loomgate.gateway.frontdoor;

import java.io.IOException;

/**
 * Reading the client's request body failed because of the client: bad framing, too large, stalled
 * (body idle timeout) or disconnected. Never the upstream's fault: callers must not count it against
 * upstreams (breakers, outlier ejection, upstream 5xx). The connection is closed after the answer.
 */
public final class ClientBodyException extends IOException {
    private final transient Rejection rejection;

    public ClientBodyException(Rejection.Kind kind, String detail) {
        super(detail);
        this.rejection = new Rejection(kind, detail);
    }

    ClientBodyException(Rejection.Kind kind, String detail, Throwable cause) {
        super(detail, cause);
        this.rejection = new Rejection(kind, detail);
    }

    /** What to answer the client, if it is still there. */
    public Rejection rejection() {
        return rejection;
    }
}
