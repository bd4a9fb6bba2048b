package dev.loomgate.consul.standin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomgate.consul.standin.api.AclPolicy;
import dev.loomgate.testsupport.OpensslCa;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS listener and ACL enforcement with default_policy = deny (SPEC G-2a): 403 bodies and statuses as Consul's. */
class AclAndTlsTest {
    private static final String MANAGEMENT = "c0ffee00-0000-4000-8000-000000000001";
    private static final String READER = "c0ffee00-0000-4000-8000-000000000002";
    @TempDir
    static Path dir;
    private static ConsulStandin consul;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        OpensslCa ca = OpensslCa.create(dir.resolve("ca"));
        OpensslCa.Leaf leaf = ca.issue("consul", List.of("IP:127.0.0.1", "DNS:localhost"));
        consul = ConsulStandin.builder().port(0)
                .tls(leaf.cert(), leaf.key())
                .acl(new AclPolicy(MANAGEMENT, Map.of(READER, AclPolicy.Access.READ)))
                .build().start();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(ca.caCert())) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        client = HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        consul.stop();
    }

    private static HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(consul.baseUri() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, method.equals("PUT") ? HttpRequest.BodyPublishers.ofString("v")
                        : HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void httpsOnly() throws Exception {
        assertTrue(consul.baseUri().startsWith("https://127.0.0.1:"), consul.baseUri());
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (plain) {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consul.port() + "/v1/status/leader"))
                    .timeout(Duration.ofSeconds(5)).build();
            assertThrows(IOException.class, () -> plain.send(req, HttpResponse.BodyHandlers.ofString()),
                    "plain HTTP to the HTTPS port gets no HTTP answer");
        }
        HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (untrusting) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(consul.baseUri() + "/v1/status/leader"))
                    .timeout(Duration.ofSeconds(5)).build();
            assertThrows(IOException.class, () -> untrusting.send(req, HttpResponse.BodyHandlers.ofString()),
                    "the private CA is not in the JVM's trust store");
        }
    }

    @Test
    void anonymousAndUnknownTokensGet403() throws Exception {
        HttpResponse<String> anonymous = send("GET", "/v1/kv/loomgate/routes");
        assertEquals(403, anonymous.statusCode());
        assertTrue(anonymous.body().startsWith("Permission denied"), anonymous.body());
        assertEquals("deny", anonymous.headers().firstValue("X-Consul-Default-Acl-Policy").orElseThrow());
        HttpResponse<String> unknown = send("GET", "/v1/kv/loomgate/routes", "X-Consul-Token", "nope");
        assertEquals(403, unknown.statusCode());
        assertEquals("ACL not found", unknown.body());
        assertEquals(403, send("GET", "/v1/health/service/web").statusCode());
        assertEquals(403, send("PUT", "/v1/agent/service/register").statusCode());
        assertEquals(200, send("GET", "/v1/status/leader").statusCode(), "status endpoints need no ACL");
    }

    @Test
    void tokensFromHeaderBearerOrQuery() throws Exception {
        assertEquals(200, send("PUT", "/v1/kv/acl-test/a", "X-Consul-Token", MANAGEMENT).statusCode());
        assertEquals(200, send("GET", "/v1/kv/acl-test/a", "Authorization", "Bearer " + MANAGEMENT).statusCode());
        assertEquals(200, send("GET", "/v1/kv/acl-test/a", "Authorization", "bearer " + READER).statusCode());
        assertEquals(200, send("GET", "/v1/kv/acl-test/a?token=" + READER).statusCode());
        HttpResponse<String> readerWrites = send("PUT", "/v1/kv/acl-test/a", "X-Consul-Token", READER);
        assertEquals(403, readerWrites.statusCode());
        assertTrue(readerWrites.body().startsWith("Permission denied"), readerWrites.body());
        assertEquals(403, send("DELETE", "/v1/kv/acl-test/a", "X-Consul-Token", READER).statusCode());
    }
}
