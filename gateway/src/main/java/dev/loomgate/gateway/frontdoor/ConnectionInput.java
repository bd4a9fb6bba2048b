package dev.loomgate.gateway.frontdoor;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

import dev.loomgate.gateway.http1.ReadDeadline;

/**
 * The bytes of one client connection: a buffer the head parser scans in place (no line copies),
 * CRLF lines with a length bound, and raw reads for bodies. Timeouts are set per phase: a deadline
 * for the whole head, an idle timeout between body bytes. They are not SO_TIMEOUT (a timed park per
 * waiting read on a virtual thread): each read publishes its deadline in a {@link ReadDeadline} that the
 * server's watchdog expires by shutting the socket's input down. One thread reads at a time.
 */
final class ConnectionInput {
    /** Thrown for a line longer than its bound or one ended by a bare LF (head and chunk lines). */
    static final class LineException extends IOException {
        final boolean tooLong;

        LineException(boolean tooLong, String message) {
            super(message, null);
            this.tooLong = tooLong;
        }
    }

    /**
     * First buffer size; it doubles (up to the longest allowed line) only on a connection that needs it. Every open
     * connection holds one, idle ones too: 1 KiB instead of 4 KiB saved 30 MB with 10,000 idle clients
     * (bench-memory), and most request heads (wrk's, curl's, a bearer token's) fit in it.
     */
    static final int INITIAL = 1024;

    private final InputStream in;
    private final Socket socket; // null in unit tests over a plain stream
    private final int maxBuffer;
    byte[] buf;
    int pos;
    int limit;
    /** Start of the last line returned by {@link #readLine(int)}; its end is the return value. */
    int lineStart;
    private long deadlineNanos;
    private int idleMillis;
    private final ReadDeadline readDeadline = new ReadDeadline();

    /**
     * Reads over TLS are timed with SO_TIMEOUT instead: the watchdog's wake-up (shutting the TCP input down)
     * reaches a TLS socket as the end of its input, and TLS 1.2 then closes the output too (duplex close),
     * which would leave no way to send the 408. A TLS read that times out leaves the connection usable.
     */
    private final boolean soTimeout;

    ConnectionInput(InputStream in, Socket socket, int maxLine) {
        this(in, socket, maxLine, false);
    }

    ConnectionInput(InputStream in, Socket socket, int maxLine, boolean soTimeout) {
        this.in = in;
        this.socket = socket;
        this.soTimeout = soTimeout && socket != null;
        this.maxBuffer = Math.max(INITIAL, maxLine + 2);
        this.buf = new byte[INITIAL];
    }

    /** Reads must finish by this System.nanoTime() value (the whole request head). */
    void deadline(long nanos) {
        deadlineNanos = nanos;
        idleMillis = 0;
    }

    /** Each read may wait this long (bodies, keep-alive idle); clears the deadline. */
    void idleTimeout(int millis) {
        deadlineNanos = 0;
        idleMillis = millis;
    }

    int buffered() {
        return limit - pos;
    }

    /** Waits for the next byte; false at end of stream. */
    boolean awaitByte() throws IOException {
        return pos < limit || fill() > 0;
    }

    private int fill() throws IOException {
        if (pos == limit) {
            pos = 0;
            limit = 0;
        }
        if (limit == buf.length) {
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, limit - pos);
                limit -= pos;
                pos = 0;
            } else if (buf.length < maxBuffer) {
                buf = java.util.Arrays.copyOf(buf, Math.min(maxBuffer, buf.length * 2));
            } else {
                throw new LineException(true, "line too long");
            }
        }
        int n = timedRead(buf, limit, buf.length - limit);
        if (n > 0) {
            limit += n;
        }
        return n;
    }

    /** A read from the socket within the phase's timeout (none over a plain stream, or with a 0 timeout). */
    private int timedRead(byte[] b, int off, int len) throws IOException {
        if (socket == null || (deadlineNanos == 0 && idleMillis == 0)) {
            return in.read(b, off, len);
        }
        long now = System.nanoTime();
        long until = deadlineNanos != 0 ? deadlineNanos : now + idleMillis * 1_000_000L;
        if (until - now <= 0) {
            throw new SocketTimeoutException("request head not received in time");
        }
        if (soTimeout) {
            socket.setSoTimeout((int) Math.clamp((until - now + 999_999) / 1_000_000, 1, Integer.MAX_VALUE));
            return in.read(b, off, len);
        }
        return readDeadline.read(in, b, off, len, until);
    }

    /**
     * The watchdog's check: a read waiting past its deadline ends with a SocketTimeoutException. Only
     * the input is shut down, so the reader can still answer (408) before the connection closes.
     */
    boolean expireReadIfOverdue(long now) {
        if (socket == null || !readDeadline.expireIfOverdue(now)) {
            return false;
        }
        try {
            socket.shutdownInput(); // wakes the blocked read with end-of-stream
        } catch (IOException e) {
            closeQuietly(); // already closed or broken: closing wakes it as well
        }
        return true;
    }

    private void closeQuietly() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // the read fails either way
        }
    }

    /**
     * Reads one CRLF-terminated line of at most {@code max} bytes (without the CRLF). The line is
     * {@code buf[lineStart, returned end)}, valid until the next read.
     */
    int readLine(int max) throws IOException {
        int scanned = pos;
        while (true) {
            for (int i = scanned; i < limit; i++) {
                if (buf[i] == '\n') {
                    if (i == pos || buf[i - 1] != '\r') {
                        throw new LineException(false, "line ends with a bare LF (CRLF required)");
                    }
                    if (i - 1 - pos > max) {
                        throw new LineException(true, "line longer than " + max + " bytes");
                    }
                    lineStart = pos;
                    pos = i + 1;
                    return i - 1;
                }
            }
            if (limit - pos > max + 1) {
                throw new LineException(true, "line longer than " + max + " bytes");
            }
            int before = pos;
            scanned = limit;
            if (fill() < 0) {
                throw new EOFException("connection closed in the middle of a line");
            }
            scanned -= before - pos; // the buffer may have been compacted
        }
    }

    /** Reads up to {@code len} bytes (at least one, blocking); -1 at end of stream. */
    int read(byte[] b, int off, int len) throws IOException {
        if (pos < limit) {
            int n = Math.min(len, limit - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
        }
        if (len >= buf.length) {
            return timedRead(b, off, len);
        }
        int n = fill();
        if (n <= 0) {
            return -1;
        }
        return read(b, off, len);
    }

    /** Skips up to {@code n} bytes; returns how many, or -1 at end of stream. */
    long skip(long n) throws IOException {
        if (pos == limit && fill() <= 0) {
            return -1;
        }
        int k = (int) Math.min(n, limit - pos);
        pos += k;
        return k;
    }

    /** Reads exactly CRLF (after chunk data). */
    boolean readCrlf() throws IOException {
        while (limit - pos < 2) {
            if (fill() < 0) {
                throw new EOFException("connection closed in a chunked body");
            }
        }
        boolean ok = buf[pos] == '\r' && buf[pos + 1] == '\n';
        pos += 2;
        return ok;
    }
}
