package dev.loomgate.gateway.client;

import java.io.InputStream;

/** The body of a request to an upstream. */
public sealed interface RequestBody {
    /** No body (no Content-Length sent). */
    record None() implements RequestBody {
    }

    /** A body held in memory: can be sent again, e.g. after a stale pooled connection. */
    record Bytes(byte[] data) implements RequestBody {
    }

    /**
     * A body streamed from the client, read once.
     *
     * @param length the exact length, or -1 to send it chunked
     */
    record Streamed(InputStream in, long length) implements RequestBody {
    }

    RequestBody NONE = new None();

    /** Whether the body can be sent a second time. */
    default boolean replayable() {
        return !(this instanceof Streamed);
    }
}
