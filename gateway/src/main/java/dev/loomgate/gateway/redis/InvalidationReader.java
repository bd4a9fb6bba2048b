package dev.loomgate.gateway.redis;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Reads RESP2 push messages from the invalidation connection's raw socket stream, with a fence for readers of the
 * cache: {@link #quiet()} is false from the moment a message's first byte is in the socket until it has been applied.
 * It blocks for one byte only, so the rest of the message (Redis writes it in one go) stays visible to
 * {@code available()} until {@link #busy} is set; after that it may buffer freely. Redis writes a write's
 * invalidations to this socket before it writes the write's reply (same event-loop turn, later-queued clients
 * first), so a request on this host caused by that reply finds the cache not quiet and reads Redis instead. Over TLS
 * the stream is the TLS layer's, and {@code below} covers what sits under it (see {@link FencedSocket}).
 */
final class InvalidationReader {
    private final InputStream in;
    private final byte[] buf = new byte[16384];
    private int pos;
    private int lim;
    private volatile boolean busy;
    private final BooleanSupplier below;

    /** {@code below}: nothing is arriving under {@code in} (plain sockets: always true, the kernel is {@code in}). */
    InvalidationReader(InputStream in, BooleanSupplier below) {
        this.in = in;
        this.below = below;
    }

    /** True when no invalidation is arriving or being applied right now. */
    boolean quiet() {
        if (busy) {
            return false;
        }
        try {
            // upstream first: a message moves kernel -> (TLS layer) -> this reader, never backwards
            return below.getAsBoolean() && in.available() == 0 && !busy;
        } catch (IOException e) {
            return false;
        }
    }

    /** Blocks for the next message (a RESP value); the caller applies it, then calls {@link #applied()}. */
    Object next() throws IOException {
        if (pos == lim) {
            busy = false;
            pos = 0;
            lim = 0;
            int n = in.read(buf, 0, 1); // one byte: the rest stays visible to quiet() until busy is set
            busy = true;
            if (n <= 0) {
                throw new EOFException("invalidation connection closed");
            }
            lim = n;
        }
        busy = true;
        return value();
    }

    /** The last message has been applied: quiet again unless more is buffered. */
    void applied() {
        if (pos == lim) {
            busy = false;
        }
    }

    private Object value() throws IOException {
        int type = readByte();
        String line = line();
        switch (type) {
            case '*' -> {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                List<Object> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    out.add(value());
                }
                return out;
            }
            case '$' -> {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                byte[] b = new byte[n];
                for (int i = 0; i < n; i++) {
                    b[i] = (byte) readByte();
                }
                readByte();
                readByte(); // CRLF
                return b;
            }
            case ':' -> {
                return Long.parseLong(line);
            }
            case '+' -> {
                return line;
            }
            case '-' -> throw new IOException("Redis error on the invalidation connection: " + line);
            default -> throw new IOException("unexpected RESP type byte " + type);
        }
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = readByte(); c != '\r'; c = readByte()) {
            sb.append((char) c);
        }
        readByte(); // \n
        return sb.toString();
    }

    private int readByte() throws IOException {
        if (pos == lim) {
            if (lim == buf.length) {
                pos = 0;
                lim = 0;
            }
            int n = in.read(buf, lim, buf.length - lim);
            if (n <= 0) {
                throw new EOFException("invalidation connection closed");
            }
            lim += n;
        }
        return buf[pos++] & 0xff;
    }
}
