package dev.loomgate.gateway.frontdoor;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.loomgate.gateway.http1.ChunkedOutputStream;

/**
 * The answer to one request. The front door owns framing: Content-Length, Transfer-Encoding and
 * Connection are decided here (never taken from headers set by the handler). The head is written
 * in one write; {@link #send(byte[])} writes head and body together when small.
 */
public final class FrontDoorResponse {
    private static final int COMBINE_LIMIT = 16 * 1024;

    private final Exchange exchange;
    private final List<String> names = new ArrayList<>(16);
    private final List<String> values = new ArrayList<>(16);
    private int status = 200;
    private String reason = "OK";
    private long declaredLength = -1;
    private boolean committed;
    private OutputStream stream;

    FrontDoorResponse(Exchange exchange) {
        this.exchange = exchange;
    }

    public FrontDoorResponse status(int code, String reason) {
        if (code < 200 || code > 999) {
            throw new IllegalArgumentException("status must be 200..999, got " + code);
        }
        this.status = code;
        this.reason = reason.isEmpty() ? "-" : reason;
        return this;
    }

    public FrontDoorResponse status(int code) {
        return status(code, Reasons.of(code));
    }

    public int status() {
        return status;
    }

    /** Adds a header field (framing and connection fields are the front door's and are ignored). */
    public FrontDoorResponse header(String name, String value) {
        names.add(name);
        values.add(value);
        return this;
    }

    public FrontDoorResponse set(String name, String value) {
        remove(name);
        return header(name, value);
    }

    public FrontDoorResponse remove(String name) {
        for (int i = names.size() - 1; i >= 0; i--) {
            if (names.get(i).equalsIgnoreCase(name)) {
                names.remove(i);
                values.remove(i);
            }
        }
        return this;
    }

    public Optional<String> header(String name) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                return Optional.of(values.get(i));
            }
        }
        return Optional.empty();
    }

    /**
     * The body length for {@link #outputStream()} and for answers without a body (HEAD, 304)
     * that describe the representation.
     */
    public FrontDoorResponse contentLength(long length) {
        declaredLength = length;
        return this;
    }

    /** True once the head was written (the status can no longer change). */
    public boolean committed() {
        return committed;
    }

    /** Whether the connection closes after this response. */
    public boolean closing() {
        return exchange.closing();
    }

    /** Sends a response without a body (Content-Length: 0 unless a length was declared for HEAD/304). */
    public void send() {
        send(new byte[0]);
    }

    public void send(byte[] body) {
        ensureUncommitted();
        boolean noBody = noBody();
        long length = noBody && (exchange.headRequest || status == 304) && declaredLength >= 0 ? declaredLength
                : body.length;
        byte[] head = head(status == 204 ? -1 : length, false);
        committed = true;
        try {
            if (noBody || body.length == 0) {
                exchange.out.write(head, 0, head.length);
            } else if (head.length + body.length <= COMBINE_LIMIT) {
                byte[] all = new byte[head.length + body.length];
                System.arraycopy(head, 0, all, 0, head.length);
                System.arraycopy(body, 0, all, head.length, body.length);
                exchange.out.write(all, 0, all.length);
            } else {
                exchange.out.write(head, 0, head.length);
                exchange.out.write(body, 0, body.length);
            }
            exchange.out.flush();
        } catch (IOException e) {
            exchange.mustClose();
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Streams the body: fixed length when {@link #contentLength(long)} was declared, else chunked
     * to an HTTP/1.1 client and close-delimited to an HTTP/1.0 client (never chunked to 1.0).
     */
    public OutputStream outputStream() {
        ensureUncommitted();
        boolean noBody = noBody();
        boolean chunked = !noBody && declaredLength < 0 && exchange.version == HttpVersion.HTTP_1_1;
        if (!noBody && declaredLength < 0 && !chunked) {
            exchange.mustClose(); // HTTP/1.0 without a length: the end of the body is the end of the connection
        }
        byte[] head = head(chunked || status == 204 ? -1 : declaredLength, chunked);
        committed = true;
        try {
            exchange.out.write(head, 0, head.length);
        } catch (IOException e) {
            exchange.mustClose();
            throw new UncheckedIOException(e);
        }
        stream = noBody ? OutputStream.nullOutputStream()
                : chunked ? new ChunkedOutputStream(exchange.out)
                : declaredLength >= 0 ? new BodyOutput(exchange.out, declaredLength)
                : new CloseDelimitedOutput(exchange.out);
        return stream;
    }

    /** Ends a streamed body (last chunk) if the handler did not close it. */
    void finish() throws IOException {
        if (stream != null) {
            stream.close();
            if (stream instanceof BodyOutput f && !f.complete()) {
                exchange.mustClose(); // fewer bytes than announced: the client must see the connection end
            }
        }
    }

    private boolean noBody() {
        return exchange.headRequest || status == 204 || status == 304;
    }

    private void ensureUncommitted() {
        if (committed) {
            throw new IllegalStateException("response already sent");
        }
        exchange.responseStarting();
    }

    /** @param length Content-Length to send, or -1 for none */
    private byte[] head(long length, boolean chunked) {
        HeadBuilder h = new HeadBuilder(256);
        h.ascii("HTTP/1.1 ").number(status).ascii(" ").ascii(reason).crlf();
        boolean date = false;
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (framingField(n)) {
                continue;
            }
            date |= n.length() == 4 && n.equalsIgnoreCase("date");
            h.ascii(n).ascii(": ").ascii(values.get(i)).crlf();
        }
        if (!date) {
            h.ascii("Date: ").ascii(HttpDate.now()).crlf(); // relayed answers keep the upstream's
        }
        if (chunked) {
            h.ascii("Transfer-Encoding: chunked").crlf();
        } else if (length >= 0) {
            h.ascii("Content-Length: ").number(length).crlf();
        }
        if (exchange.closing()) {
            h.ascii("Connection: close").crlf();
        } else if (exchange.version == HttpVersion.HTTP_1_0) {
            h.ascii("Connection: keep-alive").crlf();
        }
        h.crlf();
        return h.toBytes();
    }

    private static boolean framingField(String n) {
        return switch (n.length()) {
            case 10 -> n.equalsIgnoreCase("connection") || n.equalsIgnoreCase("keep-alive");
            case 14 -> n.equalsIgnoreCase("content-length");
            case 17 -> n.equalsIgnoreCase("transfer-encoding");
            default -> false;
        };
    }

    /** Standard reason phrases for statuses the gateway produces itself. */
    static final class Reasons {
        private Reasons() {
        }

        static String of(int code) {
            return switch (code) {
                case 200 -> "OK";
                case 201 -> "Created";
                case 204 -> "No Content";
                case 304 -> "Not Modified";
                case 400 -> "Bad Request";
                case 401 -> "Unauthorized";
                case 403 -> "Forbidden";
                case 404 -> "Not Found";
                case 405 -> "Method Not Allowed";
                case 408 -> "Request Timeout";
                case 409 -> "Conflict";
                case 413 -> "Content Too Large";
                case 414 -> "URI Too Long";
                case 429 -> "Too Many Requests";
                case 431 -> "Request Header Fields Too Large";
                case 500 -> "Internal Server Error";
                case 501 -> "Not Implemented";
                case 502 -> "Bad Gateway";
                case 503 -> "Service Unavailable";
                case 504 -> "Gateway Timeout";
                case 505 -> "HTTP Version Not Supported";
                default -> "-";
            };
        }
    }

    /** Latin-1 bytes of the head, appended without intermediate strings. */
    private static final class HeadBuilder {
        private byte[] buf;
        private int len;

        HeadBuilder(int capacity) {
            buf = new byte[capacity];
        }

        HeadBuilder ascii(String s) {
            int n = s.length();
            ensure(n);
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                // never let a CR/LF from a header value split the response
                buf[len++] = c == '\r' || c == '\n' ? (byte) ' ' : (byte) c;
            }
            return this;
        }

        HeadBuilder number(long v) {
            return ascii(Long.toString(v));
        }

        HeadBuilder crlf() {
            ensure(2);
            buf[len++] = '\r';
            buf[len++] = '\n';
            return this;
        }

        private void ensure(int n) {
            if (len + n > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
        }

        byte[] toBytes() {
            return java.util.Arrays.copyOf(buf, len);
        }
    }

    /** A fixed-length body: refuses to write more than announced. */
    private static final class BodyOutput extends OutputStream {
        private final ConnectionOutput out;
        private long left;

        BodyOutput(ConnectionOutput out, long length) {
            this.out = out;
            this.left = length;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > left) {
                throw new IOException("body longer than its Content-Length");
            }
            out.write(b, off, len);
            left -= len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        boolean complete() {
            return left == 0;
        }
    }

    /** HTTP/1.0 body of unknown length: bytes as they come, ended by closing the connection. */
    private static final class CloseDelimitedOutput extends OutputStream {
        private final ConnectionOutput out;

        CloseDelimitedOutput(ConnectionOutput out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
