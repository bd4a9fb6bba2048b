package dev.loomgate.gateway.client;

import java.io.IOException;
import java.io.InputStream;

/** Exactly {@code length} bytes of the underlying stream; an early EOF is an error. */
final class FixedLengthInputStream extends InputStream {
    private final InputStream in;
    private long remaining;

    FixedLengthInputStream(InputStream in, long length) {
        this.in = in;
        this.remaining = length;
    }

    boolean complete() {
        return remaining == 0;
    }

    @Override
    public int read() throws IOException {
        if (remaining == 0) {
            return -1;
        }
        int b = in.read();
        if (b < 0) {
            throw new IOException("upstream closed the connection with " + remaining + " body bytes missing");
        }
        remaining--;
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (remaining == 0) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new IOException("upstream closed the connection with " + remaining + " body bytes missing");
        }
        remaining -= n;
        return n;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(in.available(), remaining);
    }
}
