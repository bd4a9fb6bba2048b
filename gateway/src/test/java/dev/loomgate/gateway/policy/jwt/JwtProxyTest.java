package dev.loomgate.gateway.policy.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.loomgate.gateway.testing.OAuth2TestServer;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code jwt:} against a real OAuth2 server (oauth2-mock-server): good tokens pass with the consumer forwarded,
 * every kind of bad token is refused with the right status and challenge, and nothing reaches the upstream.
 */
class JwtProxyTest {
    private static OAuth2TestServer idp;
    private static TestUpstream upstream;
    private static TestGateway gateway;

    private static final String ROUTES = """
            upstreams:
              - name: backend
                endpoints: [ %1$s ]
            routes:
              - id: orders
                upstream: backend
                match: { path-prefix: /orders }
                jwt:
                  issuers:
                    - issuer: %2$s
                      algorithms: [RS256]
                      audiences: [orders-api]
                      jwks-url: %3$s
                  clock-skew: 5s
                  required-claims: [sub]
                  forward-headers: { consumer: X-Consumer-Id, scopes: X-Consumer-Scopes, method: X-Auth-Method }
              - id: write
                upstream: backend
                match: { path-prefix: /write }
                jwt:
                  issuers:
                    - { issuer: %2$s, algorithms: [RS256], audiences: [orders-api], jwks-url: %3$s }
                  claims: { scope: orders:write }
              - id: cookie
                upstream: backend
                match: { path-prefix: /cookie }
                jwt:
                  from: cookie:session
                  forward-credential: false
                  issuers:
                    - { issuer: %2$s, algorithms: [RS256], jwks-url: %3$s }
              - id: kid
                upstream: backend
                match: { path-prefix: /kid }
                jwt:
                  issuers:
                    - { issuer: %2$s, algorithms: [RS256], jwks-url: %3$s, jwks-min-refetch-interval: 60s }
            """;

    @BeforeAll
    static void start() throws Exception {
        idp = OAuth2TestServer.start();
        upstream = TestUpstream.start("u1");
        gateway = TestGateway.start(ROUTES.formatted(upstream.address(), idp.issuer(), idp.jwksUrl()));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (idp != null) {
            idp.close();
        }
    }

    static Map<String, Object> claims(String sub, String aud, String scope) {
        return Map.of("sub", sub, "aud", aud, "scope", scope);
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return TestGateway.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends the token; asserts the refusal, its challenge, and that the upstream saw nothing. */
    private static JsonObject assertRejected(String path, String token, int status, String errorCode)
            throws Exception {
        int before = upstream.requestCount();
        HttpResponse<String> r = get(path, "Authorization", "Bearer " + token);
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(before, upstream.requestCount(), "nothing may be forwarded on a refusal");
        assertEquals(Optional.of("application/problem+json"), r.headers().firstValue("Content-Type"));
        String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
        assertTrue(challenge.startsWith("Bearer realm=\"loomgate\""), challenge);
        assertTrue(challenge.contains("error=\"" + errorCode + "\""), challenge);
        JsonObject body = Json.createReader(new StringReader(r.body())).readObject();
        assertEquals(status, body.getInt("status"));
        assertFalse(r.body().contains(token.length() > 40 ? token.substring(0, 40) : token), "never echoes the token");
        return body;
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aGoodTokenPassesWithTheConsumerForwardedAndSpoofedIdentityHeadersStripped() throws Exception {
        String token = idp.token(claims("alice", "orders-api", "orders:read profile"));
        HttpResponse<String> r = get("/orders/1", "Authorization", "Bearer " + token,
                "X-Consumer-Id", "mallory", "X-Consumer-Scopes", "admin");
        assertEquals(200, r.statusCode(), r.body());
        TestUpstream.Received seen = upstream.received().getLast();
        assertEquals("alice", seen.header("X-Consumer-Id"));
        assertEquals("orders:read profile", seen.header("X-Consumer-Scopes"));
        assertEquals("jwt", seen.header("X-Auth-Method"));
        assertEquals(List.of("alice"), seen.headers().getOrDefault("x-consumer-id",
                seen.headers().getOrDefault("X-Consumer-Id", List.of())), "the client's copy is gone");
        assertEquals("Bearer " + token, seen.header("Authorization"), "forward-credential defaults to true");
    }

    @Test
    void noTokenIsA401ChallengeWithoutErrorCode() throws Exception {
        int before = upstream.requestCount();
        HttpResponse<String> r = get("/orders/1", "X-Consumer-Id", "mallory");
        assertEquals(401, r.statusCode());
        assertEquals(Optional.of("Bearer realm=\"loomgate\""), r.headers().firstValue("WWW-Authenticate"));
        assertEquals(before, upstream.requestCount());
        JsonObject body = Json.createReader(new StringReader(r.body())).readObject();
        assertEquals("https://loomgate.dev/problems/invalid-token", body.getString("type"));
        assertEquals(401, get("/orders/1", "Authorization", "Basic YWxpY2U6cHc=").statusCode(), "not a bearer token");
        String metrics = gateway.admin("/metrics").body();
        assertTrue(metrics.contains("loomgate_proxy_errors_total{type=\"invalid-token\"}"), metrics);
    }

    @Test
    void algNoneIsRefused() throws Exception {
        long now = Instant.now().getEpochSecond();
        String payload = b64("{\"iss\":\"" + idp.issuer() + "\",\"sub\":\"alice\",\"aud\":\"orders-api\",\"exp\":"
                + (now + 600) + "}");
        assertRejected("/orders/1", b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + payload + ".", 401,
                "invalid_token");
        assertRejected("/orders/1", b64("{\"alg\":\"NONE\"}") + "." + payload + ".", 401, "invalid_token");
    }

    @Test
    void hs256SignedWithThePublicKeyIsRefused() throws Exception {
        JWKSet jwks = JWKSet.parse(idp.privateJwks().toString());
        RSAKey rsa = jwks.getKeys().getFirst().toRSAKey();
        // the classic confusion: the attacker HMACs with the (public) RSA key the verifier holds
        byte[] publicKey = rsa.toRSAPublicKey().getEncoded();
        byte[] pem = ("-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(publicKey)
                + "\n-----END PUBLIC KEY-----\n").getBytes(StandardCharsets.US_ASCII);
        for (byte[] secret : List.of(publicKey, pem, rsa.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8))) {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(rsa.getKeyID())
                    .type(JOSEObjectType.JWT).build(), goodClaims().build());
            jwt.sign(new MACSigner(secret));
            assertRejected("/orders/1", jwt.serialize(), 401, "invalid_token");
        }
    }

    private static JWTClaimsSet.Builder goodClaims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(idp.issuer()).subject("alice").audience("orders-api")
                .expirationTime(Date.from(now.plusSeconds(600))).notBeforeTime(Date.from(now.minusSeconds(10)));
    }

    @Test
    void expiredAndNotYetValidTokensAreRefused() throws Exception {
        long now = Instant.now().getEpochSecond();
        JsonObject expired = assertRejected("/orders/1", idp.token(Map.of("sub", "alice", "aud", "orders-api",
                "exp", now - 60, "iat", now - 700)), 401, "invalid_token");
        assertEquals("token expired", expired.getString("detail"));
        JsonObject early = assertRejected("/orders/1", idp.token(Map.of("sub", "alice", "aud", "orders-api",
                "nbf", now + 300)), 401, "invalid_token");
        assertEquals("token not yet valid", early.getString("detail"));
        // within the 5 s skew both pass
        assertEquals(200, get("/orders/1", "Authorization", "Bearer " + idp.token(Map.of("sub", "alice", "aud",
                "orders-api", "nbf", now + 2))).statusCode());
    }

    @Test
    void wrongIssuerOrAudienceIsRefused() throws Exception {
        assertEquals("untrusted issuer", assertRejected("/orders/1", idp.token(Map.of("sub", "alice", "aud",
                "orders-api", "iss", "http://127.0.0.1:1/evil")), 401, "invalid_token").getString("detail"));
        assertEquals("token audience not accepted", assertRejected("/orders/1", idp.token(claims("alice", "billing-api",
                "orders:read")), 401, "invalid_token").getString("detail"));
        assertRejected("/orders/1", idp.token(Map.of("sub", "alice")), 401, "invalid_token");
    }

    @Test
    void aTamperedPayloadIsRefused() throws Exception {
        String[] parts = idp.token(claims("alice", "orders-api", "orders:read")).split("\\.");
        String forged = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"alice\"", "\"admin\"");
        assertRejected("/orders/1", parts[0] + "." + b64(forged) + "." + parts[2], 401, "invalid_token");
    }

    @Test
    void malformedTokensAreRefusedNot500() throws Exception {
        for (String bad : List.of("abc", "a.b.c", "!!!.@@@.###", "eyJhbGciOiJSUzI1NiJ9.%%%%.abc", "....",
                b64("{\"alg\":\"RS256\"}") + "." + b64("not json") + ".c2ln")) {
            assertRejected("/orders/1", bad, 401, "invalid_token");
        }
    }

    @Test
    void aHugeTokenIsRefusedBeforeParsing() throws Exception {
        String huge = "eyJ" + "A".repeat(64 * 1024);
        int before = upstream.requestCount();
        HttpResponse<String> r = get("/orders/1", "Authorization", "Bearer " + huge);
        assertTrue(r.statusCode() == 401 || r.statusCode() == 431, r.statusCode() + " " + r.body());
        assertEquals(before, upstream.requestCount());
        // under the front door's header limit the filter's own bound answers
        String big = "eyJ" + "A".repeat(10 * 1024);
        assertEquals("token too large", assertRejected("/orders/1", big, 401, "invalid_token").getString("detail"));
    }

    @Test
    void aMissingScopeIsA403WithInsufficientScope() throws Exception {
        JsonObject body = assertRejected("/write/1", idp.token(claims("alice", "orders-api", "orders:read")), 403,
                "insufficient_scope");
        assertEquals("https://loomgate.dev/problems/insufficient-scope", body.getString("type"));
        HttpResponse<String> r = get("/write/1", "Authorization", "Bearer " + idp.token(claims("alice", "orders-api",
                "orders:read orders:write")));
        assertEquals(200, r.statusCode());
    }

    @Test
    void theTokenCanComeFromACookieAndStayHere() throws Exception {
        String token = idp.token(claims("carol", "orders-api", "x"));
        assertEquals(401, get("/cookie/1", "Authorization", "Bearer " + token).statusCode(), "only the cookie counts");
        HttpResponse<String> r = get("/cookie/1", "Cookie", "theme=dark; session=" + token);
        assertEquals(200, r.statusCode(), r.body());
    }

    @Test
    void anUnknownKidCausesOneRefetchThenA401() throws Exception {
        assertEquals(200, get("/kid/1", "Authorization", "Bearer " + idp.token(claims("alice", "a", "s")))
                .statusCode(), "warm: the route's key cache holds the IdP's keys");
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("not-the-idps-key").generate();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(stranger.getKeyID()).build(),
                goodClaims().build());
        jwt.sign(new RSASSASigner(stranger));
        int fetches = idp.jwksFetches();
        for (int i = 0; i < 5; i++) {
            assertRejected("/kid/1", jwt.serialize(), 401, "invalid_token");
        }
        assertEquals(1, idp.jwksFetches() - fetches, "one refetch for the unknown kid, then rate limited");
        assertEquals(200, get("/kid/1", "Authorization", "Bearer " + idp.token(claims("alice", "a", "s")))
                .statusCode(), "known keys keep working");
    }
}
