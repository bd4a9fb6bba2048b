package dev.loomgate.gateway.frontdoor;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The socket's output with a write deadline: blocking socket writes have no timeout in Java, so
 * each write publishes a deadline that the server's watchdog checks; a client that stops reading
 * gets its connection closed, which fails the write and releases whatever fed it (an upstream
 * connection). One writer at a time.
 */
final class ConnectionOutput extends OutputStream {
    private final OutputStream out;
    private final long writeTimeoutNanos;
    /** 0 when no write is blocked; else System.nanoTime() by which it must finish. */
    volatile long deadlineNanos;

    ConnectionOutput(OutputStream out, long writeTimeoutNanos) {
        this.out = out;
        this.writeTimeoutNanos = writeTimeoutNanos;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        deadlineNanos = System.nanoTime() + writeTimeoutNanos;
        try {
            out.write(b, off, len);
        } finally {
            deadlineNanos = 0;
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    boolean overdue(long now) {
        long d = deadlineNanos;
        return d != 0 && now - d > 0;
    }
}
