package dev.loomgate.gateway.client;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Encodes writes as HTTP/1.1 chunks; {@link #finish()} writes the last chunk (does not close). */
final class ChunkedOutputStream extends OutputStream {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST = "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    private final OutputStream out;

    ChunkedOutputStream(OutputStream out) {
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
        out.write(Integer.toHexString(len).getBytes(StandardCharsets.ISO_8859_1));
        out.write(CRLF);
        out.write(b, off, len);
        out.write(CRLF);
    }

    void finish() throws IOException {
        out.write(LAST);
    }
}
