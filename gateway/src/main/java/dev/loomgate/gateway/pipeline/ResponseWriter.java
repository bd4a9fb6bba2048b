package dev.loomgate.gateway.pipeline;

import java.io.OutputStream;

import dev.loomgate.gateway.http.MutableHeaders;

/**
 * The client's response, for terminal steps and filters that answer with more than a problem. The response
 * hooks run when the head is committed ({@link #send()}, {@link #send(byte[])} or {@link #outputStream()}).
 */
public interface ResponseWriter {
    void status(int code, String reason);

    void status(int code);

    /** The headers to send (added, set or removed until the head is committed). */
    MutableHeaders headers();

    void contentLength(long length);

    /** Sends the head without a body. */
    void send();

    /** Sends the head and this whole body. */
    void send(byte[] body);

    /** Sends the head and returns the body stream (chunked unless a content length was set); close it to end. */
    OutputStream outputStream();

    /** Whether the head has been sent. */
    boolean committed();
}
