package dev.loomgate.gateway.client;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestPki;
import dev.loomgate.gateway.testing.TlsTestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Upstreams over TLS through a real node: mutual TLS to an upstream that requires a client certificate,
 * pooled TLS connections reused, and every handshake failure a 502 problem naming the TLS reason (untrusted,
 * expired, name mismatch, client certificate refused) or a bounded 504, never a hang.
 */
class UpstreamTlsTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki other;
    static TestPki.Leaf upstreamCert;
    static TestPki.Leaf clientCert;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void keys() throws Exception {
        pki = TestPki.create(dir.resolve("main"), "main");
        other = TestPki.create(dir.resolve("other"), "other");
        upstreamCert = pki.leaf("upstream", "ec", "upstream.test");
        clientCert = pki.leaf("gateway-client", "rsa", "gateway.test");
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
    }

    private TlsTestUpstream upstream(TestPki.Leaf leaf, boolean requireClientCert) throws Exception {
        TlsTestUpstream u = TlsTestUpstream.start(leaf, requireClientCert ? Optional.of(pki.ca()) : Optional.empty());
        closeables.add(u);
        return u;
    }

    private TestGateway gateway(String endpoint, String tls) throws Exception {
        TestGateway g = TestGateway.start("""
                upstreams:
                  - name: secure
                    endpoints: [ "%s" ]
                    timeouts: { connect: 1s }
                %s
                routes:
                  - id: api
                    upstream: secure
                    match: { path-prefix: /api }
                """.formatted(endpoint, tls.isEmpty() ? "" : "    tls: " + tls));
        closeables.add(g);
        return g;
    }

    private static void assertTlsProblem(HttpResponse<String> r, String reason) {
        assertEquals(502, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(r.body().contains("\"type\":\"https://loomgate.dev/problems/upstream-tls-failed\"")
                || r.body().contains("upstream-tls-failed"), r.body());
        assertTrue(r.body().contains(reason), "reason '" + reason + "' in " + r.body());
    }

    @Test
    void mutualTlsToAnUpstreamThatRequiresAClientCertificateOverPooledConnections() throws Exception {
        TlsTestUpstream u = upstream(upstreamCert, true);
        TestGateway g = gateway("https://127.0.0.1:" + u.port(), "{ ca: %s, client-cert: %s, client-key: %s, server-name: upstream.test }"
                .formatted(pki.ca(), clientCert.chain(), clientCert.key()));
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = g.get("/api/x");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("client=CN=gateway.test", r.body());
        }
        assertEquals(1, u.connections(), "20 sequential requests over one pooled TLS connection");
    }

    @Test
    void activeHealthChecksUseTheUpstreamsTls() throws Exception {
        TlsTestUpstream u = upstream(upstreamCert, true);
        TestGateway g = TestGateway.start("""
                upstreams:
                  - name: secure
                    endpoints: [ "https://127.0.0.1:%d" ]
                    health-check: { path: /health, interval: 50ms, unhealthy-threshold: 1 }
                    tls: { ca: %s, client-cert: %s, client-key: %s, server-name: upstream.test }
                routes:
                  - { id: api, upstream: secure, match: { path-prefix: /api } }
                """.formatted(u.port(), pki.ca(), clientCert.chain(), clientCert.key()));
        closeables.add(g);
        dev.loomgate.testsupport.Await.until("three probes answered over mutual TLS", () -> u.requests() >= 3);
        assertTrue(g.node().routing().current().upstreams().get("secure").hosts().getFirst().available(),
                "a probe over plain HTTP would have failed and taken the endpoint out at the first check");
        assertEquals(0, u.handshakesFailed());
        assertEquals(200, g.get("/api/x").statusCode());
    }

    @Test
    void aRenewedClientCertificateIsUsedWithoutARestartAndABrokenOneIsNot() throws Exception {
        TlsTestUpstream u = TlsTestUpstream.start(upstreamCert, Optional.of(pki.ca()), true);
        closeables.add(u);
        Path cert = dir.resolve("live-client.pem");
        Path key = dir.resolve("live-client.key");
        java.nio.file.Files.copy(clientCert.chain(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        java.nio.file.Files.copy(clientCert.key(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        TestGateway g = gateway("https://127.0.0.1:" + u.port(), ("{ ca: %s, client-cert: %s, client-key: %s,"
                + " server-name: upstream.test, reload-interval: 10ms }").formatted(pki.ca(), cert, key));
        assertEquals("client=CN=gateway.test", g.get("/api/x").body());
        TestPki.Leaf renewed = pki.leaf("gateway-client-2", "ec", "gateway2.test");
        java.nio.file.Files.copy(renewed.key(), dir.resolve("incoming.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        java.nio.file.Files.copy(renewed.chain(), dir.resolve("incoming.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        java.nio.file.Files.move(dir.resolve("incoming.pem"), cert, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        java.nio.file.Files.move(dir.resolve("incoming.key"), key, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<String> answers = new ArrayList<>();
        dev.loomgate.testsupport.Await.until("a new connection presents the renewed certificate", () -> {
            try {
                HttpResponse<String> r = g.get("/api/x");
                answers.add(r.statusCode() + " " + r.body());
                return r.body().equals("client=CN=gateway2.test");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertTrue(answers.stream().allMatch(a -> a.startsWith("200 ")), "no request failed meanwhile: " + answers);
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel() == java.util.logging.Level.WARNING) {
                    warnings.add(r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(dev.loomgate.gateway.tls.ClientTls.class.getName());
        log.addHandler(capture);
        try {
            java.nio.file.Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nbm8=\n-----END PRIVATE KEY-----\n");
            answers.clear();
            dev.loomgate.testsupport.Await.until("the broken key file is refused", () -> {
                try {
                    HttpResponse<String> r = g.get("/api/x");
                    answers.add(r.statusCode() + " " + r.body());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                return !warnings.isEmpty();
            });
            HttpResponse<String> after = g.get("/api/x");
            answers.add(after.statusCode() + " " + after.body());
        } finally {
            log.removeHandler(capture);
        }
        assertTrue(warnings.getFirst().contains("NOT reloaded: " + key), warnings.toString());
        assertTrue(answers.stream().allMatch("200 client=CN=gateway2.test"::equals),
                "a broken key file leaves the last good certificate in use: " + answers);
    }

    @Test
    void withoutAClientCertificateTheUpstreamRefusesAndTheClientGets502WithTheReason() throws Exception {
        TlsTestUpstream u = upstream(upstreamCert, true);
        TestGateway g = gateway("127.0.0.1:" + u.port(), "{ ca: %s, server-name: upstream.test }".formatted(pki.ca()));
        assertTlsProblem(g.get("/api/x"), "requires a client certificate");
        assertTrue(u.handshakesFailed() >= 1, "the upstream refused the handshake itself");
    }

    @Test
    void anUntrustedCertificateIs502() throws Exception {
        TlsTestUpstream u = upstream(other.leaf("stranger", "ec", "upstream.test"), false);
        TestGateway g = gateway("https://127.0.0.1:" + u.port(), "{ ca: %s, server-name: upstream.test }".formatted(pki.ca()));
        assertTlsProblem(g.get("/api/x"), "certificate not trusted");
        // the JDK's own trust store (https:// without tls:) does not know the test CA either
        TestGateway plainHttps = gateway("https://127.0.0.1:" + u.port(), "");
        assertTlsProblem(plainHttps.get("/api/x"), "certificate not trusted");
    }

    @Test
    void anExpiredCertificateIs502() throws Exception {
        TlsTestUpstream u = upstream(pki.expiredLeaf("expired", "upstream.test"), false);
        TestGateway g = gateway("https://127.0.0.1:" + u.port(), "{ ca: %s, server-name: upstream.test }".formatted(pki.ca()));
        assertTlsProblem(g.get("/api/x"), "certificate expired");
    }

    @Test
    void aNameMismatchIs502() throws Exception {
        TlsTestUpstream u = upstream(upstreamCert, false);
        TestGateway g = gateway("https://127.0.0.1:" + u.port(), "{ ca: %s, server-name: billing.test }".formatted(pki.ca()));
        assertTlsProblem(g.get("/api/x"), "does not match the name billing.test");
        // verified against the endpoint's address when no server-name is set: the certificate lists 127.0.0.1
        TestGateway byAddress = gateway("https://127.0.0.1:" + u.port(), "{ ca: %s }".formatted(pki.ca()));
        assertEquals(200, byAddress.get("/api/x").statusCode());
    }

    @Test
    void anUpstreamThatNeverAnswersTheHandshakeCostsTheConnectTimeoutNotAHang() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new ArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // accepted, never answered
                    }
                } catch (java.io.IOException e) {
                    // closed
                }
            });
            TestGateway g = gateway("https://127.0.0.1:" + silent.getLocalPort(), "{ ca: %s }".formatted(pki.ca()));
            long t0 = System.nanoTime();
            HttpResponse<String> r = g.get("/api/x");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(504, r.statusCode(), r.body());
            assertTrue(r.body().contains("TLS handshake with 127.0.0.1:" + silent.getLocalPort() + " timed out"), r.body());
            assertTrue(ms < 5_000, "bounded by the 1 s connect timeout, took " + ms + " ms");
            silent.close();
            acceptor.join(5_000);
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
