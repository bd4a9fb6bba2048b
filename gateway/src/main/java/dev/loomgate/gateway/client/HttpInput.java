package dev.loomgate.gateway.client;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import dev.loomgate.gateway.http1.ReadDeadline;

/**
 * A buffered reader for one upstream connection. Unlike {@code BufferedInputStream} it takes no
 * lock per call (one exchange owns the connection at a time) and finds line ends by scanning its
 * own buffer, which matters when every response head is parsed byte by byte. A read that waits longer
 * than the read timeout fails with a SocketTimeoutException; the timeout is a {@link ReadDeadline} that
 * the pool's watchdog enforces by closing the socket, not SO_TIMEOUT (a timed park per read).
 */
final class HttpInput extends InputStream {
    private final InputStream in;
    private final byte[] buf;
    private final ReadDeadline deadline = new ReadDeadline();
    private long timeoutNanos;
    private int pos;
    private int lim;

    HttpInput(InputStream in, int size) {
        this.in = in;
        this.buf = new byte[size];
    }

    /** Each read from the stream may wait this long; 0: no limit. */
    void readTimeout(long nanos) {
        timeoutNanos = nanos;
    }

    ReadDeadline deadline() {
        return deadline;
    }

    private int timedRead(byte[] b, int off, int len) throws IOException {
        if (timeoutNanos == 0) {
            return in.read(b, off, len);
        }
        return deadline.read(in, b, off, len, System.nanoTime() + timeoutNanos);
    }

    private boolean fill() throws IOException {
        pos = 0;
        lim = 0;
        int n = timedRead(buf, 0, buf.length);
        if (n <= 0) {
            return false;
        }
        lim = n;
        return true;
    }

    @Override
    public int read() throws IOException {
        if (pos == lim && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos == lim) {
            if (len >= buf.length) {
                return timedRead(b, off, len); // large reads bypass the buffer
            }
            if (!fill()) {
                return -1;
            }
        }
        int n = Math.min(len, lim - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() throws IOException {
        return (lim - pos) + (pos == lim ? in.available() : 0);
    }

    /**
     * Reads a CRLF- (or LF-) terminated line as ISO-8859-1, without the terminator.
     *
     * @throws EOFException when the stream ends before any byte of the line
     */
    String readLine(int max) throws IOException {
        StringBuilder spill = null;
        while (true) {
            if (pos == lim && !fill()) {
                if (spill == null) {
                    throw new EOFException("connection closed");
                }
                throw new IOException("connection closed inside a protocol line");
            }
            int start = pos;
            int i = start;
            while (i < lim && buf[i] != '\n') {
                i++;
            }
            if (i < lim) {
                int end = i > start && buf[i - 1] == '\r' ? i - 1 : i;
                pos = i + 1;
                if (spill == null) {
                    if (end - start > max) {
                        throw new IOException("protocol line longer than " + max + " bytes");
                    }
                    return new String(buf, start, end - start, StandardCharsets.ISO_8859_1);
                }
                spill.append(new String(buf, start, end - start, StandardCharsets.ISO_8859_1));
                int len = spill.length();
                if (len > 0 && spill.charAt(len - 1) == '\r') {
                    spill.setLength(len - 1); // the CR ended the previous buffer
                }
                if (spill.length() > max) {
                    throw new IOException("protocol line longer than " + max + " bytes");
                }
                return spill.toString();
            }
            if (spill == null) {
                spill = new StringBuilder(128);
            }
            spill.append(new String(buf, start, lim - start, StandardCharsets.ISO_8859_1));
            if (spill.length() > max + 1) {
                throw new IOException("protocol line longer than " + max + " bytes");
            }
            pos = lim;
        }
    }
}
