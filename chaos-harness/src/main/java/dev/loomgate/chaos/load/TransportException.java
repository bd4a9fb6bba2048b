package dev.loomgate.chaos.load;

import java.io.IOException;

/** A request that got no complete HTTP response, already classified. */
final class TransportException extends IOException {
    private final ErrorClass errorClass;
    /** True when nothing of a response arrived: on a reused connection that means it was stale. */
    private final boolean beforeResponse;

    TransportException(ErrorClass errorClass, boolean beforeResponse, String message, Throwable cause) {
        super(errorClass.label() + ": " + message, cause);
        this.errorClass = errorClass;
        this.beforeResponse = beforeResponse;
    }

    ErrorClass errorClass() {
        return errorClass;
    }

    boolean beforeResponse() {
        return beforeResponse;
    }
}
