package dev.loomgate.gateway.http1;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Encodes writes as HTTP/1.1 chunks, for both sides of the node: request bodies to upstreams and
 * response bodies to clients. Each write becomes one chunk in one write to the stream below (a client
 * socket is written unbuffered, and a streamed response must reach the client as it comes).
 * {@link #finish()} writes the last chunk; {@link #close()} finishes and flushes but leaves the
 * stream below open, since the connection outlives the body.
 */
public final class ChunkedOutputStream extends OutputStream {
    private static final byte[] LAST = {'0', '\r', '\n', '\r', '\n'};
    private final OutputStream out;
    private boolean finished;

    public ChunkedOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return; // a zero-length chunk would end the body
        }
        String size = Integer.toHexString(len);
        byte[] chunk = new byte[size.length() + 2 + len + 2];
        int p = 0;
        for (int i = 0; i < size.length(); i++) {
            chunk[p++] = (byte) size.charAt(i);
        }
        chunk[p++] = '\r';
        chunk[p++] = '\n';
        System.arraycopy(b, off, chunk, p, len);
        p += len;
        chunk[p++] = '\r';
        chunk[p] = '\n';
        out.write(chunk, 0, chunk.length);
    }

    /** Writes the last chunk (once; later calls do nothing). */
    public void finish() throws IOException {
        if (!finished) {
            finished = true;
            out.write(LAST, 0, LAST.length);
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        finish();
        out.flush();
    }
}
