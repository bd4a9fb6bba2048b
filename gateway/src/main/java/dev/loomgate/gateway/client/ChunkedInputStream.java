package dev.loomgate.gateway.client;

import java.io.IOException;
import java.io.InputStream;

/** Decodes an HTTP/1.1 chunked body (RFC 9112 §7.1); trailers are read and dropped. */
final class ChunkedInputStream extends InputStream {
    private static final int MAX_LINE = 8192;
    private final HttpInput in;
    private long remainingInChunk;
    private boolean done;

    ChunkedInputStream(HttpInput in) {
        this.in = in;
    }

    /** True once the terminating chunk and trailers were read: the connection may be reused. */
    boolean complete() {
        return done;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (done) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        if (remainingInChunk == 0) {
            remainingInChunk = readChunkSize();
            if (remainingInChunk == 0) {
                readTrailers();
                done = true;
                return -1;
            }
        }
        int n = in.read(b, off, (int) Math.min(len, remainingInChunk));
        if (n < 0) {
            throw new IOException("upstream closed the connection inside a chunk");
        }
        remainingInChunk -= n;
        if (remainingInChunk == 0) {
            expectCrlf();
        }
        return n;
    }

    private long readChunkSize() throws IOException {
        String line = in.readLine(MAX_LINE);
        int semi = line.indexOf(';');
        String hex = (semi >= 0 ? line.substring(0, semi) : line).trim();
        if (hex.isEmpty() || hex.length() > 15) {
            throw new IOException("bad chunk size line: '" + line + "'");
        }
        try {
            long size = Long.parseLong(hex, 16);
            if (size < 0) {
                throw new NumberFormatException();
            }
            return size;
        } catch (NumberFormatException e) {
            throw new IOException("bad chunk size line: '" + line + "'");
        }
    }

    private void expectCrlf() throws IOException {
        String line = in.readLine(2);
        if (!line.isEmpty()) {
            throw new IOException("chunk not followed by CRLF");
        }
    }

    private void readTrailers() throws IOException {
        int total = 0;
        while (true) {
            String line = in.readLine(MAX_LINE);
            if (line.isEmpty()) {
                return;
            }
            total += line.length();
            if (total > 64 * 1024) {
                throw new IOException("chunked trailers too large");
            }
        }
    }
}
