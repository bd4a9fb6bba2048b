package dev.loomgate.gateway.frontdoor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.net.ssl.SSLSocket;

import dev.loomgate.gateway.tls.ServerTls;

/**
 * One client connection on its own virtual thread: read a head, hand the exchange to the handler,
 * decide whether the connection can carry another request. The rule that keeps smuggling out: the
 * next request is parsed only when this one's body was consumed exactly as its framing says;
 * after any doubt the connection closes.
 */
final class ClientConnection implements Runnable {
    private static final Logger LOG = Logger.getLogger(ClientConnection.class.getName());
    private static final String ALLOW = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

    /** What requests are read from and answers written to: the accepted socket, or a TLS socket over it. */
    private final Socket socket;
    /** The accepted TCP socket: the watchdog shuts down or closes this one, which wakes TLS reads and writes too. */
    private final Socket raw;
    /** Present on a TLS listener; the handshake runs first on this connection's thread. */
    private final Optional<ServerTls> tls;
    /** System.nanoTime() by which the TLS handshake must be done; 0 when none is running. */
    private volatile long handshakeDeadline;
    private final FrontDoorServer server;
    private final FrontDoorSettings settings;
    private final FrontDoorHandler handler;
    private final RequestHeadParser parser;
    private final ConnectionInput in;
    final ConnectionOutput out;
    private final long acceptedNanos = System.nanoTime();
    /** True while waiting for a request (stop closes such connections at once). */
    volatile boolean idle = true;
    /** An answer was written and unread request bytes may follow: close gently (see lingeringClose). */
    private boolean linger;

    ClientConnection(Socket socket, FrontDoorServer server, FrontDoorSettings settings, FrontDoorHandler handler,
                     RequestHeadParser parser) throws IOException {
        this(socket, Optional.empty(), server, settings, handler, parser);
    }

    /** Over {@code accepted}, wrapped in TLS when {@code tls} is present (no I/O here: see {@link #run()}). */
    ClientConnection(Socket accepted, Optional<ServerTls> tls, FrontDoorServer server, FrontDoorSettings settings,
                     FrontDoorHandler handler, RequestHeadParser parser) throws IOException {
        this.raw = accepted;
        this.tls = tls;
        this.socket = tls.isPresent() ? tls.get().wrap(accepted) : accepted;
        this.server = server;
        this.settings = settings;
        this.handler = handler;
        this.parser = parser;
        this.in = new ConnectionInput(socket.getInputStream(), raw, Math.max(settings.maxRequestLine(),
                settings.maxHeaderSize()), tls.isPresent());
        this.out = new ConnectionOutput(socket.getOutputStream(), settings.writeTimeout().toNanos());
    }

    @Override
    public void run() {
        try {
            raw.setTcpNoDelay(true);
            if (tls.isPresent() && !handshake(tls.get())) {
                return;
            }
            boolean first = true;
            while (!server.stopping()) {
                idle = true;
                long waitMillis = (first ? settings.headerReadTimeout() : settings.keepAliveTimeout()).toMillis();
                in.idleTimeout((int) Math.min(Integer.MAX_VALUE, waitMillis));
                try {
                    if (!in.awaitByte()) {
                        return; // the client closed an idle connection
                    }
                } catch (SocketTimeoutException e) {
                    return; // idle timeout: nothing was asked, nothing to answer
                }
                idle = false;
                long start = first ? acceptedNanos : System.nanoTime();
                in.deadline(start + settings.headerReadTimeout().toNanos());
                RequestHead head;
                try {
                    head = parser.parse(in);
                } catch (RequestRejected r) {
                    refuse(r.rejection());
                    return;
                } catch (SocketTimeoutException e) {
                    refuse(new Rejection(Rejection.Kind.REQUEST_TIMEOUT, "request head not received within "
                            + settings.headerReadTimeout().toMillis() + " ms (header-read-timeout)"));
                    return;
                }
                first = false;
                if (!exchange(head)) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "client connection ended", e);
        } finally {
            if (linger && !server.stopping()) {
                lingeringClose();
            }
            closeGracefully();
            server.closed(this);
        }
    }

    /**
     * The TLS handshake, bounded by the header-read timeout from the moment the connection was accepted
     * (the watchdog closes the socket when it is late): a client that opens a connection and sends nothing,
     * or stalls mid-handshake, is closed on the same clock as one that sends no request head. A failed
     * handshake gets no HTTP answer (there is no channel to send one on) and is counted, never a 500.
     */
    private boolean handshake(ServerTls t) {
        handshakeDeadline = acceptedNanos + settings.headerReadTimeout().toNanos();
        try {
            ((SSLSocket) socket).startHandshake();
            return true;
        } catch (IOException | RuntimeException e) {
            t.handshakeFailed();
            LOG.log(Level.FINE, "TLS handshake with " + raw.getInetAddress() + " failed", e);
            linger = false;
            return false;
        } finally {
            handshakeDeadline = 0;
        }
    }

    /** Whether this connection is TLS (for X-Forwarded-Proto and the access log). */
    boolean secure() {
        return tls.isPresent();
    }

    /** Answers a refusal before (or instead of) any request; the connection closes afterwards. */
    void refuse(Rejection r) {
        linger = true;
        Exchange ex = new Exchange(out, HttpVersion.HTTP_1_1, false, false, false);
        FrontDoorResponse res = new FrontDoorResponse(ex);
        try {
            res.status(r.status());
            handler.reject(r, res);
            if (!res.committed()) {
                res.send();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "refusal not delivered", e);
        }
    }

    /** Refuses a connection over a cap: answer, let the client read it, close. */
    void refuseAndClose(Rejection r) {
        try {
            refuse(r);
            lingeringClose();
        } finally {
            close();
        }
    }

    /** @return whether the connection can read another request */
    private boolean exchange(RequestHead head) throws IOException {
        linger = true; // until the exchange ends cleanly, a close may leave request bytes unread
        boolean keep = exchangeAndDecide(head);
        linger = !keep;
        return keep;
    }

    /**
     * Closing a socket with unread input makes TCP send a reset, which can destroy the answer we
     * just wrote before the client read it. Like nginx's lingering close: send FIN, then read and
     * drop what the client still sends for a short, bounded while.
     */
    private void lingeringClose() {
        try {
            out.flush();
            socket.shutdownOutput(); // on TLS this sends close_notify first
            raw.setSoTimeout(500);
            java.io.InputStream rawIn = raw.getInputStream(); // drained as bytes: never parsed, TLS or not
            byte[] sink = new byte[8192];
            long left = Math.max(settings.lingerBytes(), 8192);
            long until = System.nanoTime() + 2_000_000_000L;
            int n;
            while (left > 0 && System.nanoTime() < until && (n = rawIn.read(sink)) >= 0) {
                left -= n;
            }
        } catch (IOException ignored) {
            // done lingering
        }
    }

    private boolean exchangeAndDecide(RequestHead head) throws IOException {
        boolean stopping = server.stopping();
        Exchange ex = new Exchange(out, head.version(), head.method().equals("HEAD"), head.keepAlive() && !stopping,
                head.expectContinue() && head.hasBody());
        BodyInput body = new BodyInput(in, ex, head, settings);
        FrontDoorResponse res = new FrontDoorResponse(ex);
        boolean admitted = false;
        try {
            Rejection refused = policy(head);
            if (refused == null) {
                admitted = server.admit();
                if (!admitted) {
                    refused = new Rejection(Rejection.Kind.OVERLOADED, "the gateway is at its concurrent request limit");
                }
            }
            if (refused != null) {
                if (refused.kind() == Rejection.Kind.METHOD_NOT_ALLOWED) {
                    res.header("Allow", ALLOW);
                }
                res.status(refused.status());
                handler.reject(refused, res);
            } else if (head.path().equals("*")) {
                res.header("Allow", ALLOW).send(); // OPTIONS *: about the server, never forwarded
            } else {
                handler.handle(new FrontDoorRequest(head, raw.getInetAddress(), raw.getLocalPort(), tls.isPresent(), body),
                        res);
            }
        } catch (RuntimeException e) {
            if (res.committed()) {
                LOG.log(Level.FINE, "response cut short", e);
                body.detach();
                return false;
            }
            Rejection r = clientFault(e);
            if (r.kind() == Rejection.Kind.INTERNAL) {
                LOG.log(Level.WARNING, "request handler failed", e);
            }
            ex.mustClose();
            try {
                res.status(r.status());
                handler.reject(r, res);
            } catch (RuntimeException again) {
                body.detach();
                return false;
            }
        } finally {
            if (admitted) {
                server.release();
            }
        }
        if (!res.committed()) {
            ex.mustClose();
            res.status(500);
            handler.reject(new Rejection(Rejection.Kind.INTERNAL, "no response was produced"), res);
        }
        try {
            res.finish();
        } catch (IOException e) {
            body.detach();
            return false;
        }
        if (ex.closing()) {
            body.detach();
            return false;
        }
        if (body.complete()) {
            body.detach();
            return true;
        }
        if (body.detachUntouched()) {
            // answered before reading the body (404, 429, ...): drop a small one, else close
            return body.drain(settings.lingerBytes(), (int) Math.min(5_000, settings.bodyIdleTimeout().toMillis()));
        }
        body.detach(); // read partly (or still being read elsewhere): its rest must never become a request
        return false;
    }

    /** Requests the front door refuses whatever the route: TRACE (unless allowed), protocol upgrades. */
    private Rejection policy(RequestHead head) {
        if (!settings.allowTrace() && head.method().equals("TRACE")) {
            return new Rejection(Rejection.Kind.METHOD_NOT_ALLOWED, "TRACE is disabled (front-door.allow-trace)");
        }
        if (head.upgrade()) {
            return new Rejection(Rejection.Kind.NOT_IMPLEMENTED,
                    "protocol upgrades (WebSocket proxying) are not supported");
        }
        return null;
    }

    private static Rejection clientFault(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ClientBodyException c) {
                return c.rejection();
            }
        }
        return new Rejection(Rejection.Kind.INTERNAL, "internal gateway error");
    }

    InetAddress clientAddress() {
        return raw.getInetAddress();
    }

    boolean writeOverdue(long now) {
        return out.overdue(now);
    }

    /** Ends a read waiting past its timeout (the reader then sees a SocketTimeoutException). */
    boolean expireReadIfOverdue(long now) {
        long h = handshakeDeadline;
        if (h != 0 && now - h >= 0) {
            close(); // a handshake may block in a read or a write: closing wakes both
            return true;
        }
        return in.expireReadIfOverdue(now);
    }

    /** Closes the TCP socket at once (watchdog, stop); a TLS socket over it fails every blocked call. */
    void close() {
        try {
            raw.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** The end of a connection's life: a TLS socket sends close_notify (when it still can), then the TCP socket closes. */
    private void closeGracefully() {
        if (socket != raw && !raw.isClosed()) {
            try {
                socket.close();
            } catch (IOException | RuntimeException ignored) {
                // the TCP close below is what matters
            }
        }
        close();
    }
}
