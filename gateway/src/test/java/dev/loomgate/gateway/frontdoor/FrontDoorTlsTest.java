package dev.loomgate.gateway.frontdoor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import dev.loomgate.gateway.testing.TestPki;
import dev.loomgate.gateway.tls.CertificateSpec;
import dev.loomgate.gateway.tls.KeyMaterial;
import dev.loomgate.gateway.tls.KeySource;
import dev.loomgate.gateway.tls.ServerTls;
import dev.loomgate.gateway.tls.ServerTlsSettings;
import dev.loomgate.testsupport.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proxy listener with TLS: certificates chosen by SNI (RSA and EC, PEM and PKCS#12), ALPN, and
 * handshakes that fail or never come closed on the front door's timeouts without an answer or a leak.
 */
class FrontDoorTlsTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki.Leaf fallback;
    static TestPki.Leaf api;
    static TestPki.Leaf shop;
    static Path shopStore;
    private FrontDoorServer server;
    private ServerTls tls;

    @BeforeAll
    static void keys() throws IOException {
        pki = TestPki.create(dir, "frontdoor");
        fallback = pki.leaf("default", "ec", "default.test");
        api = pki.leaf("api", "rsa", "api.test", "*.api.test");
        shop = pki.leaf("shop", "ec", "shop.test");
        shopStore = pki.pkcs12(shop, "shop", "s3cret-store");
        java.nio.file.Files.writeString(dir.resolve("shop.pass"), "s3cret-store\n");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
        if (tls != null) {
            tls.close();
        }
    }

    static final FrontDoorHandler OK = new FrontDoorHandler() {
        @Override
        public void handle(FrontDoorRequest request, FrontDoorResponse response) {
            response.status(200).header("Content-Type", "text/plain")
                    .send((request.secure() ? "secure" : "plain").getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public void reject(Rejection rejection, FrontDoorResponse response) {
            response.send(rejection.detail().getBytes(StandardCharsets.US_ASCII));
        }
    };

    private void start(Duration headerReadTimeout) throws Exception {
        tls = ServerTls.load("front-door", ServerTlsSettings.of(List.of(
                new CertificateSpec(new KeySource.Pem(fallback.chain(), fallback.key()), List.of()),
                new CertificateSpec(new KeySource.Pem(api.chain(), api.key()), List.of()),
                new CertificateSpec(new KeySource.Pkcs12(shopStore, Optional.of(dir.resolve("shop.pass")),
                        Optional.empty()), List.of()))));
        server = new FrontDoorServer(FrontDoorSettings.builder().host("127.0.0.1").port(0)
                .headerReadTimeout(headerReadTimeout).build(), tls, OK);
        server.start();
    }

    static SSLContext trusting(Path ca) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", KeyMaterial.certificates(ca).getFirst());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** A handshake asking for {@code sni} (none when empty); returns the connected socket. */
    static SSLSocket handshake(SSLContext ctx, int port, Optional<String> sni, String... protocols) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(10_000);
        SSLParameters p = s.getSSLParameters();
        sni.ifPresent(n -> p.setServerNames(List.of(new SNIHostName(n))));
        p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        if (protocols.length > 0) {
            p.setProtocols(protocols);
        }
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    static String subject(SSLSocket s) throws IOException {
        return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }

    static String get(SSLSocket s, String host) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(("GET /x HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }

    @Test
    void certificateIsChosenByServerNameWithTheFirstAsDefault() throws Exception {
        start(Duration.ofSeconds(10));
        record Case(Optional<String> sni, String expected) {
        }
        for (Case c : List.of(new Case(Optional.of("api.test"), "CN=api.test"),
                new Case(Optional.of("v1.api.test"), "CN=api.test"), // wildcard, one label
                new Case(Optional.of("shop.test"), "CN=shop.test"), // from the PKCS#12 store
                new Case(Optional.of("SHOP.test"), "CN=shop.test"), // names compare case-insensitively
                new Case(Optional.of("a.v1.api.test"), "CN=default.test"), // a wildcard never spans a dot
                new Case(Optional.of("unknown.test"), "CN=default.test"),
                new Case(Optional.empty(), "CN=default.test"))) {
            // a fresh client each time: the JDK client resumes sessions by address, whatever the SNI
            try (SSLSocket s = handshake(trusting(pki.ca()), server.port(), c.sni())) {
                assertEquals(c.expected(), subject(s), "certificate for SNI " + c.sni());
                assertEquals("http/1.1", s.getApplicationProtocol(), "ALPN picks http/1.1 (h2 is not offered yet)");
                String answer = get(s, c.sni().orElse("x"));
                assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
                assertTrue(answer.endsWith("secure"), "the request knows it came over TLS: " + answer);
            }
        }
    }

    @Test
    void onlyTls12And13WithForwardSecrecy() throws Exception {
        start(Duration.ofSeconds(10));
        SSLContext client = trusting(pki.ca());
        try (SSLSocket s = handshake(client, server.port(), Optional.of("api.test"), "TLSv1.2")) {
            assertEquals("TLSv1.2", s.getSession().getProtocol());
            assertTrue(s.getSession().getCipherSuite().startsWith("TLS_ECDHE_RSA_WITH_AES_128_GCM"),
                    s.getSession().getCipherSuite());
        }
        try (SSLSocket s = handshake(client, server.port(), Optional.of("shop.test"))) {
            assertEquals("TLSv1.3", s.getSession().getProtocol());
        }
        // a suite outside the list (CBC, RSA key exchange) finds nothing in common
        SSLSocket weak = (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.port());
        weak.setSoTimeout(10_000);
        weak.setEnabledProtocols(new String[] {"TLSv1.2"});
        weak.setEnabledCipherSuites(new String[] {"TLS_RSA_WITH_AES_128_CBC_SHA256"});
        assertThrows(IOException.class, weak::startHandshake);
        weak.close();
        Await.until("the failed handshake counted and its connection gone",
                () -> tls.handshakeFailures() >= 1 && server.openConnections() == 0);
    }

    @Test
    void aClientThatOpensTlsAndSendsNothingIsClosedOnTheHeaderReadTimeout() throws Exception {
        start(Duration.ofMillis(400));
        long t0 = System.nanoTime();
        try (Socket silent = new Socket(InetAddress.getLoopbackAddress(), server.port());
             Socket halfHello = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            silent.setSoTimeout(10_000);
            halfHello.setSoTimeout(10_000);
            // the first bytes of a TLS record header announcing a ClientHello that never completes
            halfHello.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01});
            halfHello.getOutputStream().flush();
            assertTrue(closedByServer(silent.getInputStream()), "silent connection closed");
            assertTrue(closedByServer(halfHello.getInputStream()), "stalled handshake closed");
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 350 && ms < 5_000, "closed on the 400 ms header-read timeout, took " + ms + " ms");
        Await.until("both handshakes counted as failed and no connection left",
                () -> tls.handshakeFailures() == 2 && server.openConnections() == 0);
    }

    @Test
    void plainHttpOnTheTlsPortGetsNoAnswerAndNoServerError() throws Exception {
        start(Duration.ofSeconds(10));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            byte[] answer = readAll(s.getInputStream());
            assertTrue(!new String(answer, StandardCharsets.ISO_8859_1).contains("HTTP/1.1 500"),
                    "no HTTP answer, certainly no 500");
        }
        Await.until("handshake failure counted, connection gone",
                () -> tls.handshakeFailures() == 1 && server.openConnections() == 0);
        // the listener still serves
        try (SSLSocket s = handshake(trusting(pki.ca()), server.port(), Optional.of("api.test"))) {
            assertTrue(get(s, "api.test").startsWith("HTTP/1.1 200"));
        }
    }

    @Test
    void aPartialRequestHeadOverTlsGets408OnTheSameTimeout() throws Exception {
        start(Duration.ofMillis(400));
        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
            try (SSLSocket s = handshake(trusting(pki.ca()), server.port(), Optional.of("api.test"), protocol)) {
                s.getOutputStream().write("GET /x HTTP/1.1\r\nHost: api.test\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                String answer = new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII);
                assertTrue(answer.startsWith("HTTP/1.1 408"), protocol + ": " + answer);
            }
        }
        Await.until("connections gone", () -> server.openConnections() == 0);
        assertEquals(0, tls.handshakeFailures());
    }

    @Test
    void aTlsConnectionOverThePerClientCapIsClosedWithoutAHandshake() throws Exception {
        tls = ServerTls.load("front-door", ServerTlsSettings.of(List.of(
                new CertificateSpec(new KeySource.Pem(fallback.chain(), fallback.key()), List.of()))));
        server = new FrontDoorServer(FrontDoorSettings.builder().host("127.0.0.1").port(0).maxConnectionsPerClient(1)
                .build(), tls, OK);
        server.start();
        SSLContext client = trusting(pki.ca());
        try (SSLSocket first = handshake(client, server.port(), Optional.empty())) {
            Await.until("first connection open", () -> server.openConnections() == 1);
            assertThrows(IOException.class, () -> handshake(client, server.port(), Optional.empty()).close());
            assertEquals(1, server.refusedConnections());
            assertTrue(get(first, "x").startsWith("HTTP/1.1 200"), "the first one is unaffected");
        }
    }

    private static boolean closedByServer(InputStream in) {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] readAll(InputStream in) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            int b;
            while ((b = in.read()) >= 0) {
                out.write(b);
            }
        } catch (IOException e) {
            // reset by the server: what came before counts
        }
        return out.toByteArray();
    }
}
