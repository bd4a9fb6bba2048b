package dev.loomgate.chaos.frontdoor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.SSLSocket;

import dev.loomgate.chaos.cluster.CommandResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS terminated by a real HAProxy rendered from the Ansible role ({@code haproxy_tls_mode: terminate}, two
 * certificates picked by SNI, HSTS) in front of one real gateway node: HTTPS reaches the node as plain HTTP with
 * {@code X-Forwarded-Proto: https} (a client's own value replaced), each name gets its own certificate, only
 * TLS 1.2/1.3 with forward-secret AEAD ciphers, HSTS on HTTPS answers, plain HTTP redirected.
 */
class HaproxyTlsTerminateTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    @TempDir
    static Path dir;
    private static RecordingUpstream upstream;
    private static HaproxyInFront front;

    @BeforeAll
    static void start() throws Exception {
        for (String name : List.of("api", "www")) {
            CommandResult r = CommandResult.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-days", "2", "-subj", "/CN=" + name + ".loomgate.test", "-addext",
                    "subjectAltName=DNS:" + name + ".loomgate.test", "-keyout", dir.resolve(name + ".key").toString(),
                    "-out", dir.resolve(name + ".crt").toString()), TIMEOUT);
            assertEquals(0, r.exitCode(), "openssl: " + r);
            Files.writeString(dir.resolve(name + ".pem"), Files.readString(dir.resolve(name + ".crt"))
                    + Files.readString(dir.resolve(name + ".key")));
        }
        upstream = RecordingUpstream.start();
        front = HaproxyInFront.start(dir, upstream.port(), """
                          haproxy_tls_mode: terminate
                          haproxy_tls_port: %%tls
                          haproxy_hsts_max_age: 600
                          haproxy_tls_certs: [ "%s", "%s" ]
                """.formatted(dir.resolve("api.pem"), dir.resolve("www.pem")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (front != null) {
            front.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void httpsReachesTheNodeAsForwardedHttpsWithHsts() throws Exception {
        int before = upstream.requestHeaders().size();
        try (SSLSocket s = tls("api", "TLSv1.3")) {
            String answer = exchange(s, "GET /api/tls HTTP/1.1\r\nHost: api.loomgate.test\r\n"
                    + "X-Forwarded-Proto: http\r\nConnection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            assertTrue(answer.toLowerCase(Locale.ROOT).contains("\r\nx-recording-upstream: yes"), "proxied: " + answer);
            assertTrue(answer.toLowerCase(Locale.ROOT).contains("\r\nstrict-transport-security: max-age=600"), answer);
            assertEquals("TLSv1.3", s.getSession().getProtocol());
        }
        List<Map<String, String>> seen = upstream.requestHeaders();
        assertEquals(before + 1, seen.size(), "one request reached the upstream");
        assertEquals("https", seen.getLast().get("x-forwarded-proto"),
                "the client's own X-Forwarded-Proto: http is replaced by HAProxy's: " + seen.getLast());
    }

    @Test
    void eachNameGetsItsCertificate() throws Exception {
        for (String name : List.of("api", "www")) {
            try (SSLSocket s = tls(name, "TLSv1.3")) {
                s.startHandshake();
                X509Certificate cert = (X509Certificate) s.getSession().getPeerCertificates()[0];
                assertEquals("CN=" + name + ".loomgate.test", cert.getSubjectX500Principal().getName());
            }
        }
    }

    @Test
    void tls12NegotiatesAForwardSecretAeadCipher() throws Exception {
        try (SSLSocket s = tls("api", "TLSv1.2")) {
            s.startHandshake();
            assertEquals("TLSv1.2", s.getSession().getProtocol());
            String suite = s.getSession().getCipherSuite();
            assertTrue(suite.startsWith("TLS_ECDHE_") && (suite.contains("_GCM_") || suite.contains("CHACHA20")), suite);
        }
    }

    @Test
    void plainHttpIsRedirectedToHttps() throws Exception {
        int before = upstream.requestHeaders().size();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), front.frontPort())) {
            s.setSoTimeout((int) TIMEOUT.toMillis());
            String answer = exchange(s, "GET /api/plain?q=1 HTTP/1.1\r\nHost: api.loomgate.test\r\nConnection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 301"), answer);
            // the HTTPS port is not 443 here, so the redirect names it; the query string is kept
            String location = "https://api.loomgate.test:" + front.tlsPort() + "/api/plain?q=1";
            assertTrue(answer.toLowerCase(Locale.ROOT).contains("\r\nlocation: " + location + "\r\n"), answer);
            assertTrue(!answer.toLowerCase(Locale.ROOT).contains("strict-transport-security"),
                    "no HSTS over plain HTTP (RFC 6797 §7.2): " + answer);
        }
        assertEquals(before, upstream.requestHeaders().size(), "the redirect is HAProxy's own");
    }

    /** A TLS connection to the HTTPS frontend with SNI {@code name}.loomgate.test, trusting both test certificates. */
    private static SSLSocket tls(String name, String protocol) throws Exception {
        return TlsTestClient.connect(front.tlsPort(), name + ".loomgate.test", List.of(dir.resolve("api.crt"),
                dir.resolve("www.crt")), List.of(protocol), TIMEOUT);
    }

    private static String exchange(Socket s, String request) throws IOException {
        return TlsTestClient.exchange(s, request);
    }
}
