package dev.loomgate.gateway.tls;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import dev.loomgate.gateway.testing.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reload bookkeeping, and the SSLContext a server keeps for life (the admin port) following reloads. */
class ServerTlsTest {
    @TempDir
    Path dir;

    @Test
    void theFollowingContextServesTheReloadedCertificate() throws Exception {
        TestPki pki = TestPki.create(dir, "follow");
        TestPki.Leaf first = pki.leaf("first", "ec", "admin.test");
        TestPki.Leaf second = pki.leaf("second", "rsa", "admin.test");
        Path chain = dir.resolve("live.pem");
        Path key = dir.resolve("live.key");
        Files.copy(first.chain(), chain);
        Files.copy(first.key(), key);
        try (ServerTls tls = ServerTls.load("admin", ServerTlsSettings.of(List.of(
                new CertificateSpec(new KeySource.Pem(chain, key), List.of()))));
             SSLServerSocket server = (SSLServerSocket) tls.followingContext().getServerSocketFactory()
                     .createServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 2; i++) {
                    try (SSLSocket s = (SSLSocket) server.accept()) {
                        s.startHandshake();
                        s.getOutputStream().write(1);
                        s.getOutputStream().flush();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            assertEquals("first", servedFile(pki, server.getLocalPort(), first, second));
            assertFalse(tls.reloadIfChanged(), "nothing changed");
            Files.copy(second.chain(), chain, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(second.key(), key, StandardCopyOption.REPLACE_EXISTING);
            assertTrue(tls.reloadIfChanged());
            assertEquals(1, tls.reloads());
            assertEquals("second", servedFile(pki, server.getLocalPort(), first, second));
            acceptor.join(5_000);
        }
    }

    private static String servedFile(TestPki pki, int port, TestPki.Leaf first, TestPki.Leaf second) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", KeyMaterial.certificates(pki.ca()).getFirst());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            s.getInputStream().read();
            X509Certificate served = (X509Certificate) s.getSession().getPeerCertificates()[0];
            if (served.equals(KeyMaterial.certificates(first.chain()).getFirst())) {
                return "first";
            }
            return served.equals(KeyMaterial.certificates(second.chain()).getFirst()) ? "second" : "other";
        }
    }
}
