package dev.loomgate.gateway.node;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import dev.loomgate.gateway.GatewayNode;
import dev.loomgate.gateway.config.NodeConfigParser;
import dev.loomgate.gateway.testing.TestPki;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.gateway.tls.KeyMaterial;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node started from a gateway.yaml with TLS on both ports: the proxy port (PEM, RSA and EC by SNI) and the
 * admin port (PKCS#12), the admin token required on loopback too; the upstream learns the request came
 * over https.
 */
class TlsNodeTest {
    @TempDir
    Path dir;

    private static HttpClient trusting(Path ca) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", KeyMaterial.certificates(ca).getFirst());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void bothPortsServeTlsFromTheNodeConfig() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"), "node");
        TestPki.Leaf proxyEc = pki.leaf("proxy-ec", "ec", "localhost");
        TestPki.Leaf proxyRsa = pki.leaf("proxy-rsa", "rsa", "rsa.localhost");
        Path adminStore = pki.pkcs12(pki.leaf("admin", "ec", "localhost"), "admin", "admin-pass");
        Files.writeString(dir.resolve("admin.pass"), "admin-pass\n");
        try (TestUpstream upstream = TestUpstream.start("u1")) {
            Files.writeString(dir.resolve("routes.yaml"), """
                    upstreams:
                      - name: backend
                        endpoints: [ %s ]
                    routes:
                      - id: api
                        upstream: backend
                        match: { path-prefix: /api }
                    """.formatted(upstream.address()));
            Path config = dir.resolve("gateway.yaml");
            Files.writeString(config, """
                    node: { id: tls-node, host: 127.0.0.1, port: 0, admin-host: 127.0.0.1, admin-port: 0,
                            admin-token: an-admin-token-of-some-length }
                    routes-file: routes.yaml
                    access-log: "off"
                    admin:
                      require-token-on-loopback: true
                      tls:
                        certificates:
                          - pkcs12: pki/admin.p12
                            password-file: admin.pass
                    front-door:
                      tls:
                        certificates:
                          - { cert: pki/proxy-ec.pem, key: pki/proxy-ec.key }
                          - { cert: pki/proxy-rsa.pem, key: pki/proxy-rsa.key }
                        reload-interval: 1s
                    """);
            try (GatewayNode node = GatewayNode.start(NodeConfigParser.parse(config))) {
                HttpClient client = trusting(pki.ca());
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + node.port() + "/api/hello")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                TestUpstream.Received got = upstream.received().getLast();
                assertEquals("https", got.header("X-Forwarded-Proto"), "the scheme the client used");

                HttpResponse<String> ready = client.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + node.adminPort() + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, ready.statusCode(), ready.body());
                HttpResponse<String> noToken = client.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + node.adminPort() + "/admin/routes")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(401, noToken.statusCode(), "token required on loopback: " + noToken.body());
                HttpResponse<String> withToken = client.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + node.adminPort() + "/admin/routes"))
                        .header("Authorization", "Bearer an-admin-token-of-some-length").build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, withToken.statusCode(), withToken.body());
                HttpResponse<String> wrongToken = client.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + node.adminPort() + "/admin/routes"))
                        .header("Authorization", "Bearer an-admin-token-of-some-lengtH").build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(401, wrongToken.statusCode());
                HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + node.adminPort() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertTrue(metrics.body().contains("loomgate_tls_certificate_not_after_seconds{listener=\"front-door\""),
                        "expiry of the proxy certificates exported");
                assertTrue(metrics.body().contains("loomgate_tls_reloads_total{listener=\"admin\",result=\"ok\"} 0"),
                        "admin listener reload counter exported");

                // plain HTTP to either TLS port gets no answer
                HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                assertThrows(java.io.IOException.class, () -> plain.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.port() + "/api/hello")).timeout(Duration.ofSeconds(10))
                        .build(), HttpResponse.BodyHandlers.ofString()));
            }
        }
    }
}
