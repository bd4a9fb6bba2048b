package dev.loomgate.gateway.tls;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The few words a 502 gives for a failed upstream handshake, from the JDK's exception chains. */
class ClientTlsTest {
    private static SSLHandshakeException handshake(Throwable cause) {
        SSLHandshakeException e = new SSLHandshakeException("(certificate_unknown) PKIX path validation failed");
        e.initCause(cause);
        return e;
    }

    @Test
    void reasons() {
        assertTrue(ClientTls.reason(handshake(new CertificateExpiredException("NotAfter: Sun Nov 29")), "a.test")
                .startsWith("certificate expired"));
        assertTrue(ClientTls.reason(handshake(new CertPathValidatorException("validity check failed", null, null, -1,
                CertPathValidatorException.BasicReason.EXPIRED)), "a.test").startsWith("certificate expired"));
        assertEquals("certificate not trusted (no path to a trusted CA; set tls.ca)", ClientTls.reason(handshake(
                new CertificateException("unable to find valid certification path to requested target")), "a.test"));
        assertTrue(ClientTls.reason(handshake(new CertificateException("No subject alternative DNS name matching b.test"
                + " found.")), "b.test").startsWith("certificate does not match the name b.test"));
        assertTrue(ClientTls.reason(new SSLHandshakeException("Received fatal alert: certificate_required"), "a.test")
                .contains("requires a client certificate"));
    }
}
