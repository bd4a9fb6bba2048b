package dev.loomgate.loadtests.openload;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Finds where one HTTP/1.1 response ends in the bytes received so far (Content-Length or chunked), for the
 * non-blocking generator, which reads whatever arrived and asks again after each read.
 */
final class ResponseFraming {
    /**
     * A complete response.
     *
     * @param status     its status code
     * @param length     its length in bytes, head included
     * @param close      the server said {@code Connection: close}
     */
    record Complete(int status, int length, boolean close) {
    }

    private ResponseFraming() {
    }

    /**
     * The response at the start of {@code buf[0..len)}, or null while it is incomplete.
     *
     * @throws IllegalStateException when the bytes are not an HTTP/1.x response or have no framing
     */
    static Complete parse(byte[] buf, int len) {
        int headEnd = indexOf(buf, 0, len, "\r\n\r\n");
        if (headEnd < 0) {
            return null;
        }
        String head = new String(buf, 0, headEnd, StandardCharsets.ISO_8859_1);
        if (!head.startsWith("HTTP/1.") || head.length() < 12) {
            throw new IllegalStateException("not an HTTP response: '" + head.lines().findFirst().orElse("") + "'");
        }
        int status = Integer.parseInt(head.substring(9, 12));
        long contentLength = -1;
        boolean chunked = false, close = false;
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "content-length" -> contentLength = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.contains("chunked");
                case "connection" -> close = value.contains("close");
                default -> { }
            }
        }
        int bodyStart = headEnd + 4;
        if (chunked) {
            int end = chunkedEnd(buf, bodyStart, len);
            return end < 0 ? null : new Complete(status, end, close);
        }
        if (contentLength < 0) {
            if (status == 204 || status == 304) {
                return new Complete(status, bodyStart, close);
            }
            throw new IllegalStateException("response without Content-Length or chunked framing (status " + status + ")");
        }
        long end = bodyStart + contentLength;
        return len >= end ? new Complete(status, (int) end, close) : null;
    }

    /** End of a chunked body (after the last chunk's empty trailer line), or -1 when not all here yet. */
    private static int chunkedEnd(byte[] buf, int from, int len) {
        int pos = from;
        while (true) {
            int lineEnd = indexOf(buf, pos, len, "\r\n");
            if (lineEnd < 0) {
                return -1;
            }
            String sizeText = new String(buf, pos, lineEnd - pos, StandardCharsets.ISO_8859_1).split(";")[0].trim();
            long size = Long.parseLong(sizeText, 16);
            pos = lineEnd + 2;
            if (size == 0) {
                // trailers, then an empty line
                while (true) {
                    int end = indexOf(buf, pos, len, "\r\n");
                    if (end < 0) {
                        return -1;
                    }
                    if (end == pos) {
                        return end + 2;
                    }
                    pos = end + 2;
                }
            }
            if (pos + size + 2 > len) {
                return -1;
            }
            pos += (int) size + 2;
        }
    }

    private static int indexOf(byte[] buf, int from, int len, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.ISO_8859_1);
        outer:
        for (int i = from; i <= len - n.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (buf[i + j] != n[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
