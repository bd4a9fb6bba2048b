package dev.loomgate.gateway.client;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Set;

import dev.loomgate.gateway.upstream.Endpoint;

/** One keep-alive connection (TCP, or TLS over TCP) to an upstream endpoint. Used by one exchange at a time. */
final class HttpConnection implements AutoCloseable {
    private static final int BUFFER = 16 * 1024;
    private final Endpoint endpoint;
    private final ConnectionPool.EndpointPool pool;
    /** The TCP socket: closing it wakes a blocked TLS read or write at once (SSLSocket.close may wait to send an alert). */
    private final Socket raw;
    /** What exchanges read and write: {@code raw}, or a TLS socket over it. */
    private final Socket socket;
    private final HttpInput in;
    private final OutputStream out;
    /** The pool's open connections, which its watchdog checks for overdue reads; this one leaves on close. */
    private final Set<HttpConnection> open;
    private long idleSinceNanos;
    private int exchanges;

    HttpConnection(Endpoint endpoint, ConnectionPool.EndpointPool pool, Socket raw, Socket socket,
                   Set<HttpConnection> open) throws IOException {
        this.endpoint = endpoint;
        this.pool = pool;
        this.raw = raw;
        this.socket = socket;
        this.in = new HttpInput(socket.getInputStream(), BUFFER);
        this.out = new BufferedOutputStream(socket.getOutputStream(), BUFFER);
        this.open = open;
        open.add(this);
    }

    Endpoint endpoint() {
        return endpoint;
    }

    /** On a fresh TLS connection the upstream dropped: what its client-certificate request suggests. */
    java.util.Optional<String> tlsHint() {
        return dev.loomgate.gateway.tls.ClientTls.clientCertificateHint(socket);
    }

    ConnectionPool.EndpointPool pool() {
        return pool;
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

    /** Each read of this exchange may wait this long (enforced by the pool's watchdog). */
    void readTimeout(long nanos) {
        in.readTimeout(nanos);
    }

    /** The watchdog's check: closes the connection when its read waits past the deadline. */
    boolean expireReadIfOverdue(long now) {
        if (in.deadline().expireIfOverdue(now)) {
            close(); // wakes the blocked read, which then reports the timeout
            return true;
        }
        return false;
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
            // a rare probe (idle > 1 s), so a plain SO_TIMEOUT read; exchanges then read without one
            in.readTimeout(0);
            socket.setSoTimeout(1);
            try {
                in.read();
            } finally {
                socket.setSoTimeout(0);
            }
            return false; // EOF (-1) or an unsolicited byte: either way unusable
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    boolean isClosed() {
        return raw.isClosed() || socket.isClosed();
    }

    @Override
    public void close() {
        open.remove(this);
        try {
            raw.close();
        } catch (IOException ignored) {
            // nothing to do: the connection is being discarded
        }
        if (socket != raw) {
            try {
                socket.close(); // releases the TLS state; the TCP socket is already gone
            } catch (IOException | RuntimeException ignored) {
                // discarded anyway
            }
        }
    }
}
