package dev.loomgate.chaos.frontdoor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** A raw TLS client for the HAProxy TLS tests: trusts the given certificates only, sends SNI, checks the name. */
final class TlsTestClient {
    private TlsTestClient() {
    }

    /**
     * A connection to 127.0.0.1:{@code port} with SNI {@code serverName}, hostname verification on, and only
     * {@code protocols} enabled (all the JDK's defaults when empty).
     */
    static SSLSocket connect(int port, String serverName, List<Path> trusted, List<String> protocols,
                             Duration timeout) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        for (Path cert : trusted) {
            try (InputStream in = Files.newInputStream(cert)) {
                trust.setCertificateEntry(cert.getFileName().toString(), cf.generateCertificate(in));
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout((int) timeout.toMillis());
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(serverName)));
        if (!protocols.isEmpty()) {
            p.setProtocols(protocols.toArray(String[]::new));
        }
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        return s;
    }

    /** Sends {@code request} and reads until the server closes; a reset ends the answer too. */
    static String exchange(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try {
            s.getInputStream().transferTo(all);
        } catch (SocketException e) {
            // reset by the peer: what arrived before it is the answer
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }
}
