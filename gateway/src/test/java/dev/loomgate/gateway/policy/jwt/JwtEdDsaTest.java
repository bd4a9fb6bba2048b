package dev.loomgate.gateway.policy.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * EdDSA (Ed25519) tokens through a real node: keys from a JWKS URL (served on 127.0.0.1 with an RSA key beside the
 * Ed25519 one) and from a static {@code jwks-file}. Tokens signed with nimbus' {@link Ed25519Signer} (Tink) pass;
 * a token signed by another Ed25519 key under the same {@code kid}, a tampered one, and every algorithm confusion
 * (EdDSA on an RS256-pinned route, RS256 on an EdDSA-pinned route with the RSA key in the same JWKS, an EdDSA header
 * naming the RSA key, HS256 keyed with the Ed25519 public key) are refused with 401 and never reach the upstream.
 */
class JwtEdDsaTest {
    private static final String ISSUER = "https://idp.eddsa.test";
    private static OctetKeyPair ed;
    private static OctetKeyPair otherEd;
    private static RSAKey rsa;
    private static HttpServer jwks;
    private static final AtomicInteger jwksFetches = new AtomicInteger();
    private static Path dir;
    private static TestUpstream upstream;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        ed = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed1").generate();
        otherEd = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed1").generate(); // same kid, other key
        rsa = new RSAKeyGenerator(2048).keyID("rsa1").generate();
        byte[] set = new JWKSet(List.of(ed.toPublicJWK(), rsa.toPublicJWK())).toString()
                .getBytes(StandardCharsets.UTF_8);
        jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        jwks.createContext("/jwks.json", ex -> {
            jwksFetches.incrementAndGet();
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, set.length);
            ex.getResponseBody().write(set);
            ex.close();
        });
        jwks.start();
        dir = Files.createTempDirectory("lg-eddsa");
        Path file = dir.resolve("jwks.json");
        Files.writeString(file, new JWKSet(ed.toPublicJWK()).toString());
        String url = "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json";
        upstream = TestUpstream.start("u1");
        gateway = TestGateway.start("""
                upstreams:
                  - name: backend
                    endpoints: [ %1$s ]
                routes:
                  - id: ed
                    upstream: backend
                    match: { path-prefix: /ed-url }
                    jwt:
                      issuers: [ { issuer: "%2$s", algorithms: [EdDSA], jwks-url: "%3$s" } ]
                      forward-headers: { consumer: X-Consumer-Id }
                  - id: ed-static
                    upstream: backend
                    match: { path-prefix: /ed-file }
                    jwt:
                      issuers: [ { issuer: "%2$s", algorithms: [EdDSA], jwks-file: "%4$s" } ]
                  - id: rs
                    upstream: backend
                    match: { path-prefix: /rs }
                    jwt:
                      issuers: [ { issuer: "%2$s", algorithms: [RS256], jwks-url: "%3$s" } ]
                """.formatted(upstream.address(), ISSUER, url, file));
    }

    @AfterAll
    static void stop() throws IOException {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (jwks != null) {
            jwks.stop(0);
        }
        if (dir != null) {
            TempDirs.deleteTree(dir);
        }
    }

    private static String token(JWSAlgorithm alg, String kid, JWSSigner signer) throws Exception {
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).type(JOSEObjectType.JWT).build(),
                new JWTClaimsSet.Builder().issuer(ISSUER).subject("alice").expirationTime(Date.from(now.plusSeconds(300)))
                        .build());
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static int status(String path, String token) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token).build();
        return TestGateway.http().send(req, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static void assertRefused(String path, String token, String what) throws Exception {
        int before = upstream.requestCount();
        assertEquals(401, status(path, token), what);
        assertEquals(before, upstream.requestCount(), what + ": nothing may be forwarded");
    }

    @Test
    void anEd25519TokenPassesWithKeysFromAUrlAndFromAFile() throws Exception {
        String good = token(JWSAlgorithm.EdDSA, "ed1", new Ed25519Signer(ed));
        assertEquals(200, status("/ed-url/a", good));
        assertEquals("alice", upstream.received().getLast().header("X-Consumer-Id"));
        assertEquals(200, status("/ed-file/a", good));
        assertEquals(200, status("/ed-url/b", good), "again, from the verified-token cache");
    }

    @Test
    void aWrongKeyOrATamperedTokenIsRefused() throws Exception {
        String foreign = token(JWSAlgorithm.EdDSA, "ed1", new Ed25519Signer(otherEd));
        assertRefused("/ed-url/a", foreign, "signed by another Ed25519 key under the trusted kid");
        assertRefused("/ed-file/a", foreign, "signed by another Ed25519 key (static keys)");
        String good = token(JWSAlgorithm.EdDSA, "ed1", new Ed25519Signer(ed));
        String[] parts = good.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"alice\"", "\"admin\"");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertRefused("/ed-url/a", tampered, "payload changed after signing");
    }

    @Test
    void algorithmConfusionIsRefused() throws Exception {
        String edToken = token(JWSAlgorithm.EdDSA, "ed1", new Ed25519Signer(ed));
        assertRefused("/rs/a", edToken, "EdDSA on a route pinned to RS256 (its JWKS holds the Ed25519 key too)");
        String rsToken = token(JWSAlgorithm.RS256, "rsa1", new RSASSASigner(rsa));
        assertEquals(200, status("/rs/a", rsToken), "the RS256 token itself is good");
        assertRefused("/ed-url/a", rsToken, "RS256 on a route pinned to EdDSA (the RSA key is in its JWKS)");
        assertRefused("/ed-url/a", token(JWSAlgorithm.EdDSA, "rsa1", new Ed25519Signer(ed)),
                "an EdDSA header naming the RSA key");
        byte[] publicX = ed.getDecodedX(); // 32 bytes: enough for an HS256 secret
        assertRefused("/ed-url/a", token(JWSAlgorithm.HS256, "ed1", new MACSigner(publicX)),
                "HS256 keyed with the Ed25519 public key");
        assertRefused("/ed-url/a", token(JWSAlgorithm.HS256, "ed1", new MACSigner(ed.toPublicJWK().toJSONString()
                .getBytes(StandardCharsets.UTF_8))), "HS256 keyed with the public JWK's JSON");
    }
}
