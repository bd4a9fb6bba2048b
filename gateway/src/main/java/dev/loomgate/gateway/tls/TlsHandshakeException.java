package dev.loomgate.gateway.tls;

import java.io.IOException;

/** A TLS handshake with an upstream failed; the message is the reason in a few words (untrusted, expired, ...). */
public final class TlsHandshakeException extends IOException {
    public TlsHandshakeException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
