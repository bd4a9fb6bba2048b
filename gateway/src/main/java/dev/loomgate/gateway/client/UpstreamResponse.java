package dev.loomgate.gateway.client;

import java.io.IOException;
import java.io.InputStream;
import java.util.OptionalLong;

/**
 * A response from an upstream whose body is still on the wire. {@link #close()} gives the
 * connection back to the pool when the body was read to its end and the exchange allows
 * keep-alive, and closes it otherwise. Always close it.
 */
public final class UpstreamResponse implements AutoCloseable {
    private final int status;
    private final String reason;
    private final HttpFields headers;
    private final OptionalLong contentLength;
    private final boolean chunked;
    private final InputStream body;
    private final ExchangeEnd end;
    private boolean closed;

    interface ExchangeEnd {
        void finish(boolean bodyComplete);
    }

    UpstreamResponse(int status, String reason, HttpFields headers, OptionalLong contentLength, boolean chunked,
                     InputStream body, ExchangeEnd end) {
        this.status = status;
        this.reason = reason;
        this.headers = headers;
        this.contentLength = contentLength;
        this.chunked = chunked;
        this.body = body;
        this.end = end;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    /** Response headers as received, hop-by-hop ones included (the proxy filters them). */
    public HttpFields headers() {
        return headers;
    }

    /** The body length when the upstream declared it (0 for responses that have no body). */
    public OptionalLong contentLength() {
        return contentLength;
    }

    /** Whether the upstream sent the body chunked (its length is then unknown up front). */
    public boolean chunked() {
        return chunked;
    }

    /** The decoded body (de-chunked); empty for HEAD, 204 and 304. */
    public InputStream body() {
        return body;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean complete = switch (body) {
            case FixedLengthInputStream f -> f.complete();
            case ChunkedInputStream c -> c.complete();
            default -> false;
        };
        end.finish(complete);
    }

    static InputStream emptyBody() {
        return new FixedLengthInputStream(InputStream.nullInputStream(), 0);
    }

    /** Reads the remaining body into memory; for small bodies only. */
    public byte[] readBody() throws IOException {
        if (contentLength.isPresent() && contentLength.getAsLong() <= Integer.MAX_VALUE - 8) {
            int len = (int) contentLength.getAsLong();
            byte[] data = body.readNBytes(len); // exactly sized: no growing buffers for small bodies
            if (data.length != len) {
                throw new IOException("upstream body ended after " + data.length + " of " + len + " bytes");
            }
            return data;
        }
        return body.readAllBytes();
    }
}
