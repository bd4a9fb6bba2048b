package dev.loomgate.gateway.client;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/** Turns what went wrong in an exchange into an {@link UpstreamException} of the right kind, worded once. */
final class ExchangeFailures {
    private ExchangeFailures() {
    }

    /** @param bodyFailure what the body writer hit, when it hit something (else null) */
    static UpstreamException classify(IOException e, HttpConnection c, Throwable bodyFailure, Duration timeout) {
        if (e instanceof UpstreamException u) {
            return u;
        }
        if (bodyFailure instanceof UpstreamClient.ClientBodyException) {
            return new UpstreamException(UpstreamException.Kind.CLIENT_BODY_FAILED,
                    "reading the client's request body failed: " + bodyFailure.getCause().getMessage(), bodyFailure.getCause());
        }
        String where = "upstream " + c.endpoint().id();
        boolean dropped = !(e instanceof SocketTimeoutException) && !String.valueOf(e.getMessage()).startsWith("bad ");
        if (c.exchanges() == 0 && dropped && (tlsAlert(e) || c.tlsHint().isPresent())) {
            // TLS 1.3: the server checks our client certificate after our side of the handshake is done, so its
            // refusal arrives as an alert (or a closed connection) on the first write or read; the request was
            // never processed
            return new UpstreamException(UpstreamException.Kind.TLS_FAILED, "TLS handshake with " + c.endpoint().id()
                    + " failed: " + c.tlsHint().orElse("the upstream refused the handshake") + " (" + e.getMessage()
                    + ")", e);
        }
        if (e instanceof EOFException) {
            return new UpstreamException(UpstreamException.Kind.RESET_BEFORE_RESPONSE,
                    where + " closed the connection before responding", e);
        }
        if (e instanceof SocketTimeoutException) {
            return new UpstreamException(UpstreamException.Kind.RESPONSE_TIMEOUT,
                    where + " did not respond within " + timeout.toMillis() + " ms", e);
        }
        boolean protocol = e.getMessage() != null && e.getMessage().startsWith("bad ");
        return new UpstreamException(protocol ? UpstreamException.Kind.PROTOCOL_ERROR
                : UpstreamException.Kind.RESET_BEFORE_RESPONSE, where + ": " + e.getMessage(), e);
    }

    private static boolean tlsAlert(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException && String.valueOf(t.getMessage()).contains("Received fatal alert")) {
                return true;
            }
        }
        return false;
    }
}
