package dev.loomgate.gateway.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.loomgate.gateway.testing.TestPki;
import dev.loomgate.gateway.tls.KeySource;
import dev.loomgate.gateway.tls.ServerTlsSettings;
import dev.loomgate.gateway.upstream.UpstreamDefinition;
import dev.loomgate.gateway.yaml.ConfigException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tls:} blocks in gateway.yaml and routes.yaml: what is accepted, and errors with file, line, field and reason. */
class TlsConfigParserTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki.Leaf ec;
    static TestPki.Leaf rsa;

    @BeforeAll
    static void keys() throws Exception {
        pki = TestPki.create(dir, "config");
        ec = pki.leaf("ec", "ec", "api.test");
        rsa = pki.leaf("rsa", "rsa", "api.test");
        Files.writeString(dir.resolve("store.pass"), "pw-123\n");
        pki.pkcs12(ec, "store", "pw-123");
        // the same RSA key in PKCS#1 form, as older tools write it
        Process p = new ProcessBuilder("openssl", "pkey", "-in", rsa.key().toString(), "-traditional", "-out",
                dir.resolve("rsa-pkcs1.key").toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
    }

    private static NodeConfig node(String yaml) throws Exception {
        Path f = dir.resolve("gateway.yaml");
        Files.writeString(f, yaml);
        return NodeConfigParser.parse(f);
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> node(yaml)).getMessage();
    }

    @Test
    void pemAndPkcs12RelativeToTheConfigFileWithDefaults() throws Exception {
        NodeConfig c = node("""
                front-door:
                  tls:
                    certificates:
                      - { cert: ec.pem, key: ec.key }
                      - { pkcs12: store.p12, password-file: store.pass, server-names: [Shop.Test, "*.shop.test"] }
                """);
        ServerTlsSettings t = c.frontDoor().tls().orElseThrow();
        assertEquals(new KeySource.Pem(dir.resolve("ec.pem"), dir.resolve("ec.key")), t.certificates().getFirst().source());
        assertEquals(List.of("shop.test", "*.shop.test"), t.certificates().get(1).serverNames());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), t.protocols());
        assertEquals(List.of("http/1.1"), t.applicationProtocols());
        assertEquals(Duration.ofSeconds(5), t.reloadInterval());
        assertTrue(t.cipherSuites().stream().noneMatch(s -> s.contains("CBC") || s.startsWith("TLS_RSA_")));
        assertTrue(c.edge().admin().tls().isEmpty());
    }

    @Test
    void badKeyMaterialIsAnErrorAtTheFieldsLine() {
        assertEquals("gateway.yaml:5: front-door.tls.certificates[0].key: " + dir.resolve("nope.key") + ": no such file",
                error("""
                        front-door:
                          tls:
                            certificates:
                              - cert: ec.pem
                                key: nope.key
                        """));
        String pkcs1 = error("""
                admin:
                  tls:
                    certificates:
                      - { cert: rsa.pem, key: rsa-pkcs1.key }
                """);
        assertTrue(pkcs1.startsWith("gateway.yaml:4: admin.tls.certificates[0].key: ") && pkcs1.contains("PKCS#1/SEC1")
                && pkcs1.contains("openssl pkcs8 -topk8"), pkcs1);
        String mismatch = error("""
                front-door:
                  tls:
                    certificates:
                      - { cert: ec.pem, key: rsa.key }
                """);
        assertTrue(mismatch.contains("not a valid PKCS#8 EC private key"), mismatch);
        String password = error("""
                front-door:
                  tls:
                    certificates:
                      - { pkcs12: store.p12, password-env: LOOMGATE_TEST_SURELY_UNSET_VAR }
                """);
        assertTrue(password.startsWith("gateway.yaml:4: front-door.tls.certificates[0].pkcs12: ")
                && password.contains("LOOMGATE_TEST_SURELY_UNSET_VAR is not set"), password);
        String wrongPassword = error("""
                front-door:
                  tls:
                    certificates:
                      - { pkcs12: store.p12, password-file: ec.key }
                """);
        assertTrue(wrongPassword.contains("wrong password or not a PKCS#12 store"), wrongPassword);
    }

    @Test
    void protocolsSuitesAlpnAndShapeAreChecked() {
        String base = """
                front-door:
                  tls:
                    certificates: [ { cert: ec.pem, key: ec.key } ]
                """;
        assertTrue(error(base + "    protocols: [TLSv1.1]\n").contains(
                "front-door.tls.protocols: 'TLSv1.1' is not allowed"), "old protocol");
        assertTrue(error(base + "    cipher-suites: [TLS_NOT_A_SUITE]\n").contains("not supported by this JDK"));
        assertTrue(error(base + "    alpn: [h2, http/1.1]\n").contains("does not speak h2 yet"));
        assertTrue(error(base + "    reload-interval: 1ms\n").contains("at least 10ms"));
        assertTrue(error(base + "    ciphers: []\n").contains("ciphers"), "unknown key");
        assertTrue(error("front-door: { tls: { certificates: [] } }\n").contains("at least one certificate"));
        assertTrue(error("front-door: { tls: { certificates: [ { cert: ec.pem } ] } }\n").contains("needs cert and key"));
        assertTrue(error("front-door: { tls: { certificates: [ { cert: ec.pem, key: ec.key, pkcs12: store.p12 } ] } }\n")
                .contains("not both"));
    }

    private static String routes(String endpoints, String tls) {
        return """
                upstreams:
                  - name: u
                    endpoints: %s
                %s
                routes:
                  - { id: r, upstream: u, match: { path-prefix: / } }
                """.formatted(endpoints, tls.isEmpty() ? "" : "    tls: " + tls);
    }

    @Test
    void upstreamTlsFromSchemeOrBlock() throws Exception {
        UpstreamDefinition https = RoutesParser.parse(routes("[\"https://api.test\", \"https://10.0.0.2:8443\"]", ""),
                "routes.yaml").upstreams().getFirst();
        assertTrue(https.tls().isPresent());
        assertEquals(443, https.endpoints().getFirst().port());
        assertTrue(https.tls().get().settings().verify());
        UpstreamDefinition block = RoutesParser.parse(routes("[ 10.0.0.2:8443 ]", "{ ca: %s, client-cert: %s, client-key: %s }"
                .formatted(pki.ca(), rsa.chain(), rsa.key())), "routes.yaml").upstreams().getFirst();
        assertTrue(block.tls().orElseThrow().settings().clientCert().isPresent());
        assertEquals(block.tls(), RoutesParser.parse(routes("[ 10.0.0.2:8443 ]", "{ ca: %s, client-cert: %s, client-key: %s }"
                .formatted(pki.ca(), rsa.chain(), rsa.key())), "routes.yaml").upstreams().getFirst().tls(),
                "equal settings and files: equal (a reload keeps the pooled connections)");
        assertTrue(RoutesParser.parse(routes("[ 10.0.0.2:80 ]", ""), "routes.yaml").upstreams().getFirst().tls().isEmpty());
    }

    @Test
    void upstreamTlsErrors() {
        String mixed = assertThrows(ConfigException.class, () -> RoutesParser.parse(
                routes("[\"https://a.test:1\", \"http://b.test:2\"]", ""), "routes.yaml")).getMessage();
        assertTrue(mixed.startsWith("routes.yaml:3: upstreams[0].endpoints[1]: mixes https and http"), mixed);
        String path = assertThrows(ConfigException.class, () -> RoutesParser.parse(
                routes("[\"https://a.test:1/api\"]", ""), "routes.yaml")).getMessage();
        assertTrue(path.contains("without a path"), path);
        String halfPair = assertThrows(ConfigException.class, () -> RoutesParser.parse(
                routes("[ a.test:1 ]", "{ client-cert: %s }".formatted(rsa.chain())), "routes.yaml")).getMessage();
        assertTrue(halfPair.contains("upstreams[0].tls.client-cert: client-cert and client-key go together"), halfPair);
        String missingCa = assertThrows(ConfigException.class, () -> RoutesParser.parse(
                routes("[ a.test:1 ]", "{ ca: /no/such/ca.pem }"), "routes.yaml")).getMessage();
        assertTrue(missingCa.startsWith("routes.yaml:4: upstreams[0].tls.ca: /no/such/ca.pem: no such file"), missingCa);
        String verifyOff = assertThrows(ConfigException.class, () -> RoutesParser.parse(
                routes("[ a.test:1 ]", "{ ca: %s, verify: false }".formatted(pki.ca())), "routes.yaml")).getMessage();
        assertTrue(verifyOff.contains("verify: false ignores ca"), verifyOff);
    }
}
