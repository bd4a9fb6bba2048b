package dev.loomgate.gateway.frontdoor;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A request body as its framing delimits it (Content-Length or chunked, RFC 9112 §7.1), read
 * straight from the connection. Any failure is a {@link ClientBodyException} and makes the
 * connection close after the answer. The first read sends {@code 100 Continue} when the client
 * waits for it. Once the exchange ends the body is detached: a late reader (e.g. a body writer
 * thread) can no longer touch the connection's bytes.
 */
final class BodyInput extends InputStream {
    private static final int UNTOUCHED = 0;
    private static final int STARTED = 1;
    private static final int DETACHED = 2;

    private final ConnectionInput in;
    private final Exchange exchange;
    private final boolean chunked;
    private final long maxBody;
    private final int idleMillis;
    private final int maxChunkLine;
    private final int maxTrailer;
    private final AtomicInteger state = new AtomicInteger(UNTOUCHED);
    /** Bytes left: of the whole body (length framing) or of the current chunk. */
    private long remaining;
    private long total;
    private volatile boolean eof;
    private volatile ClientBodyException failure;

    BodyInput(ConnectionInput in, Exchange exchange, RequestHead head, FrontDoorSettings s) {
        this.in = in;
        this.exchange = exchange;
        this.chunked = head.framing() == RequestHead.Framing.CHUNKED;
        this.remaining = chunked ? 0 : head.contentLength();
        this.eof = !head.hasBody();
        this.maxBody = s.maxBodySize();
        this.idleMillis = (int) Math.min(Integer.MAX_VALUE, s.bodyIdleTimeout().toMillis());
        this.maxChunkLine = s.maxChunkExtension();
        this.maxTrailer = s.maxHeaderSize();
    }

    /** True when nobody read a byte; from now on nobody can (the server may drain it itself). */
    boolean detachUntouched() {
        return state.compareAndSet(UNTOUCHED, DETACHED);
    }

    /** Stops late readers (the server owns the connection again). */
    void detach() {
        state.set(DETACHED);
    }

    boolean started() {
        return state.get() == STARTED;
    }

    boolean complete() {
        return eof && failure == null;
    }

    boolean failed() {
        return failure != null;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (eof) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        int s = state.get();
        if (s == DETACHED || (s == UNTOUCHED && !state.compareAndSet(UNTOUCHED, STARTED))) {
            throw new IOException("the request has ended; its body can no longer be read");
        }
        if (s == UNTOUCHED) {
            exchange.continueIfExpected();
            in.idleTimeout(idleMillis);
        }
        try {
            return chunked ? readChunked(b, off, len) : readFixed(b, off, len);
        } catch (ClientBodyException e) {
            throw fail(e);
        } catch (SocketTimeoutException e) {
            throw fail(new ClientBodyException(Rejection.Kind.REQUEST_TIMEOUT,
                    "no request body bytes for " + idleMillis + " ms (body-idle-timeout)", e));
        } catch (ConnectionInput.LineException e) {
            throw fail(new ClientBodyException(Rejection.Kind.BAD_REQUEST, "chunked body: " + e.getMessage(), e));
        } catch (IOException e) {
            throw fail(new ClientBodyException(Rejection.Kind.BAD_REQUEST,
                    "the client closed or broke the connection while sending its body", e));
        }
    }

    private ClientBodyException fail(ClientBodyException e) {
        failure = e;
        exchange.mustClose();
        return e;
    }

    private int readFixed(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException("body ended early");
        }
        remaining -= n;
        total += n;
        if (remaining == 0) {
            eof = true;
        }
        return n;
    }

    private int readChunked(byte[] b, int off, int len) throws IOException {
        if (remaining == 0) {
            remaining = chunkSize();
            if (remaining == 0) {
                trailers();
                eof = true;
                return -1;
            }
            if (maxBody > 0 && total + remaining > maxBody) {
                throw new ClientBodyException(Rejection.Kind.PAYLOAD_TOO_LARGE,
                        "request body exceeds the configured max-body-size");
            }
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException("chunked body ended early");
        }
        remaining -= n;
        total += n;
        if (remaining == 0 && !in.readCrlf()) {
            throw new ClientBodyException(Rejection.Kind.BAD_REQUEST, "chunk data not followed by CRLF");
        }
        return n;
    }

    /** chunk-size [ chunk-ext ] CRLF: 1*HEXDIG, then nothing, or BWS ";" and a bounded extension. */
    private long chunkSize() throws IOException {
        int end = in.readLine(maxChunkLine);
        byte[] b = in.buf;
        int i = in.lineStart;
        long size = 0;
        int digits = 0;
        while (i < end) {
            int d = Character.digit(b[i], 16);
            if (d < 0 || b[i] < 0) {
                break;
            }
            if (++digits > 15) {
                throw new ClientBodyException(Rejection.Kind.BAD_REQUEST, "chunk size too large");
            }
            size = (size << 4) | d;
            i++;
        }
        if (digits == 0) {
            throw new ClientBodyException(Rejection.Kind.BAD_REQUEST, "invalid chunk size");
        }
        if (i < end) {
            while (i < end && (b[i] == ' ' || b[i] == '\t')) {
                i++;
            }
            if (i == end || b[i] != ';') {
                throw new ClientBodyException(Rejection.Kind.BAD_REQUEST, "invalid chunk size");
            }
            for (; i < end; i++) {
                int c = b[i] & 0xff;
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    throw new ClientBodyException(Rejection.Kind.BAD_REQUEST, "control character in a chunk extension");
                }
            }
        }
        return size;
    }

    private void trailers() throws IOException {
        try {
            // parsed with the header rules, then dropped: trailers are never forwarded
            RequestHeadParser.readFields(in, new HeaderFields(4), maxTrailer, 100, "trailer");
        } catch (RequestRejected r) {
            throw new ClientBodyException(r.rejection().kind() == Rejection.Kind.HEADERS_TOO_LARGE
                    ? Rejection.Kind.BAD_REQUEST : r.rejection().kind(), r.getMessage());
        }
    }

    /**
     * Reads and drops the rest of an untouched body, at most {@code max} bytes within the idle
     * timeout per read; true when the whole body was consumed (the connection can be kept).
     */
    boolean drain(long max, int timeoutMillis) {
        if (eof) {
            return true;
        }
        if (!chunked && remaining > max) {
            return false;
        }
        byte[] sink = new byte[8192];
        long left = max;
        try {
            in.idleTimeout(timeoutMillis);
            while (!eof && left > 0) {
                int n = chunked ? readChunked(sink, 0, (int) Math.min(sink.length, left))
                        : readFixed(sink, 0, (int) Math.min(sink.length, left));
                if (n > 0) {
                    left -= n;
                }
            }
            return eof;
        } catch (IOException e) {
            return false;
        }
    }

    long bytesRead() {
        return total;
    }
}
