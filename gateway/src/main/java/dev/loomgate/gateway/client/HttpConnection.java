package dev.loomgate.gateway.client;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

import dev.loomgate.gateway.upstream.Endpoint;

/** One keep-alive TCP connection to an upstream endpoint. Used by one exchange at a time. */
final class HttpConnection implements AutoCloseable {
    private static final int BUFFER = 16 * 1024;
    private final Endpoint endpoint;
    private final Socket socket;
    private final HttpInput in;
    private final OutputStream out;
    private long idleSinceNanos;
    private int exchanges;
    private int readTimeoutMillis = -1;

    HttpConnection(Endpoint endpoint, Socket socket) throws IOException {
        this.endpoint = endpoint;
        this.socket = socket;
        this.in = new HttpInput(socket.getInputStream(), BUFFER);
        this.out = new BufferedOutputStream(socket.getOutputStream(), BUFFER);
    }

    Endpoint endpoint() {
        return endpoint;
    }

    HttpInput in() {
        return in;
    }

    OutputStream out() {
        return out;
    }

    /** Exchanges completed on this connection before the current one (0 = fresh). */
    int exchanges() {
        return exchanges;
    }

    void readTimeout(int millis) throws IOException {
        if (millis != readTimeoutMillis) { // a syscall: skip it when unchanged, as it is on most exchanges
            socket.setSoTimeout(millis);
            readTimeoutMillis = millis;
        }
    }

    void markIdle() {
        exchanges++;
        idleSinceNanos = System.nanoTime();
    }

    long idleNanos() {
        return System.nanoTime() - idleSinceNanos;
    }

    /**
     * Cheap check that the peer has not closed this idle connection: a 1 ms read that must time out.
     * Only worth it after the connection sat idle for a while (servers close idle keep-alive connections).
     */
    boolean stillOpen() {
        if (socket.isClosed() || socket.isInputShutdown()) {
            return false;
        }
        try {
            readTimeout(1);
            in.read();
            return false; // EOF (-1) or an unsolicited byte: either way unusable
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do: the connection is being discarded
        }
    }
}
