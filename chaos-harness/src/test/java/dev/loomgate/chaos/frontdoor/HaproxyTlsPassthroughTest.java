package dev.loomgate.chaos.frontdoor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
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
 * TLS passed through a real HAProxy rendered from the Ansible role ({@code haproxy_tls_mode: passthrough}) to a
 * real gateway node whose proxy port terminates TLS ({@code front-door.tls}): HAProxy routes by the ClientHello's
 * SNI without decrypting, the client sees the node's certificate, the upstream gets the request with the node's
 * {@code X-Forwarded-Proto: https}; a connection that does not start with a ClientHello is closed unanswered.
 */
class HaproxyTlsPassthroughTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String NAME = "api.loomgate.test";
    @TempDir
    static Path dir;
    private static RecordingUpstream upstream;
    private static HaproxyInFront front;

    @BeforeAll
    static void start() throws Exception {
        CommandResult r = CommandResult.run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=" + NAME, "-addext",
                "subjectAltName=DNS:" + NAME, "-keyout", dir.resolve("node.key").toString(),
                "-out", dir.resolve("node.crt").toString()), TIMEOUT);
        assertEquals(0, r.exitCode(), "openssl: " + r);
        upstream = RecordingUpstream.start();
        front = HaproxyInFront.start(dir, upstream.port(), """
                          haproxy_tls_mode: passthrough
                          haproxy_tls_port: %tls
                          haproxy_gateway_tls_port: %node
                          haproxy_tls_sni_routes: [ { sni: api.loomgate.test, group: gateways } ]
                """, """
                front-door:
                  tls:
                    certificates:
                      - { cert: %s, key: %s }
                """.formatted(dir.resolve("node.crt"), dir.resolve("node.key")));
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
    void theNodeTerminatesTlsThatHaproxyRoutedBySni() throws Exception {
        int before = upstream.requestHeaders().size();
        try (SSLSocket s = tls()) {
            String answer = exchange(s, "GET /api/pass HTTP/1.1\r\nHost: " + NAME + "\r\nConnection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            assertTrue(answer.toLowerCase(Locale.ROOT).contains("\r\nx-recording-upstream: yes"), answer);
            X509Certificate cert = (X509Certificate) s.getSession().getPeerCertificates()[0];
            assertEquals("CN=" + NAME, cert.getSubjectX500Principal().getName(), "the node's own certificate");
        }
        List<Map<String, String>> seen = upstream.requestHeaders();
        assertEquals(before + 1, seen.size());
        assertEquals("https", seen.getLast().get("x-forwarded-proto"), "set by the node that terminated TLS");
    }

    @Test
    void plainHttpOnTheTlsPortIsClosedUnanswered() throws Exception {
        int before = upstream.requestHeaders().size();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), front.tlsPort())) {
            s.setSoTimeout((int) TIMEOUT.toMillis());
            String answer = exchange(s, "GET /api/plain HTTP/1.1\r\nHost: " + NAME + "\r\n\r\n");
            assertEquals("", answer, "no ClientHello: rejected by tcp-request content, nothing answered");
        }
        assertEquals(before, upstream.requestHeaders().size());
    }

    private static SSLSocket tls() throws Exception {
        return TlsTestClient.connect(front.tlsPort(), NAME, List.of(dir.resolve("node.crt")), List.of(), TIMEOUT);
    }

    private static String exchange(Socket s, String request) throws IOException {
        return TlsTestClient.exchange(s, request);
    }
}
