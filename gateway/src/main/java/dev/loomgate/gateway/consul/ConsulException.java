package dev.loomgate.gateway.consul;

import java.util.OptionalInt;

/**
 * A Consul request failed: no agent answered ({@link #status()} empty), or an agent answered with
 * an error status. Consul error bodies are plain text (SPEC G-4), kept verbatim in the message.
 */
public final class ConsulException extends Exception {
    private final int status;

    public ConsulException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    public ConsulException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status the agent sent; empty when the request never got an answer. */
    public OptionalInt status() {
        return status == 0 ? OptionalInt.empty() : OptionalInt.of(status);
    }
}
