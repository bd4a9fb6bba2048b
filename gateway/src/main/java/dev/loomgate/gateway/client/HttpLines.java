package dev.loomgate.gateway.client;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reads CRLF-terminated protocol lines (ISO-8859-1) with a length cap. */
final class HttpLines {
    private HttpLines() {
    }

    /**
     * @return the line without CRLF (a bare LF is accepted as the terminator)
     * @throws EOFException when the stream ends before any byte of the line
     */
    static String readLine(InputStream in, int max) throws IOException {
        byte[] buf = new byte[Math.min(max, 256)];
        int len = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (len == 0) {
                    throw new EOFException("connection closed");
                }
                throw new IOException("connection closed inside a protocol line");
            }
            if (b == '\n') {
                if (len > 0 && buf[len - 1] == '\r') {
                    len--;
                }
                return new String(buf, 0, len, StandardCharsets.ISO_8859_1);
            }
            if (len == buf.length) {
                if (len >= max) {
                    throw new IOException("protocol line longer than " + max + " bytes");
                }
                byte[] bigger = new byte[Math.min(max + 1, len * 2)];
                System.arraycopy(buf, 0, bigger, 0, len);
                buf = bigger;
            }
            buf[len++] = (byte) b;
        }
    }
}
