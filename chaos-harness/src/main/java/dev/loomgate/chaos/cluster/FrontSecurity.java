package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * {@code --secure}: the cluster's front with TLS and two routes behind authentication, on top of
 * {@link BackendSecurity}'s CA. HAProxy terminates TLS with a certificate from that CA (plain HTTP is redirected);
 * {@code /secure/jwt} wants an RS256 token from this run's own signing key (its public half is the route's
 * {@code jwks-file}, like a fixed IdP key); {@code /secure/key} wants an API key created with
 * {@code bin/loomgate keys create} (hash in Consul KV, HMAC pepper in a file). Everything lives in the CA's
 * folder ({@code <work>/tls}, 0700) and dies with the work dir.
 */
public final class FrontSecurity {
    public static final String ISSUER = "https://idp.cluster.loomgate.test", AUDIENCE = "demo";
    static final String KID = "cluster-1";
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    private final BackendSecurity ca;
    private final KeyPair signing;
    private final int tlsPort;
    private volatile Optional<String> apiKey = Optional.empty();

    private FrontSecurity(BackendSecurity ca, KeyPair signing, int tlsPort) {
        this.ca = ca;
        this.signing = signing;
        this.tlsPort = tlsPort;
    }

    /** The signing key, its JWKS, the API-key pepper, and a front certificate for {@code frontAddress}. */
    static FrontSecurity create(BackendSecurity ca, String frontAddress, int tlsPort) throws IOException {
        KeyPair kp;
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            kp = g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make the signing key: " + e.getMessage(), e);
        }
        FrontSecurity s = new FrontSecurity(ca, kp, tlsPort);
        RSAPublicKey pub = (RSAPublicKey) kp.getPublic();
        Files.writeString(s.jwksFile(), "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"%s\",\"n\":\"%s\",\"e\":\"%s\"}]}\n"
                .formatted(KID, unsigned(pub.getModulus()), unsigned(pub.getPublicExponent())));
        byte[] pepper = new byte[24];
        new SecureRandom().nextBytes(pepper);
        Files.writeString(s.pepperFile(), HexFormat.of().formatHex(pepper) + "\n");
        Files.setPosixFilePermissions(s.pepperFile(), PosixFilePermissions.fromString("rw-------"));
        s.issueFrontCertificate(frontAddress);
        return s;
    }

    /** (Re)issues HAProxy's certificate for the address clients use, as one PEM file (chain, then key). */
    void issueFrontCertificate(String frontAddress) throws IOException {
        ca.issue("front", List.of(frontAddress, "localhost"));
        Path bundle = bundleFile();
        Files.writeString(bundle, Files.readString(ca.dir().resolve("front.pem")) + Files.readString(ca.dir()
                .resolve("front.key")));
        Files.setPosixFilePermissions(bundle, PosixFilePermissions.fromString("rw-------"));
    }

    /** HAProxy terminating TLS on {@link #tlsPort()} with the front certificate (passed with -e @file). */
    Path ansibleVars() throws IOException {
        Path vars = ca.dir().resolve("ansible-vars-front.yml");
        Files.writeString(vars, """
                # Written by the cluster launcher for --secure (TLS at the front with this run's throwaway CA).
                haproxy_tls_mode: terminate
                haproxy_tls_port: %d
                haproxy_tls_certs: [ "%s" ]
                haproxy_hsts_max_age: 300
                """.formatted(tlsPort, bundleFile()));
        return vars;
    }

    /** The two routes behind authentication, appended to the demo routes. */
    String routes() {
        return """
                  - id: secure-jwt
                    upstream: demo
                    match: { path-prefix: /secure/jwt }
                    jwt:
                      issuers:
                        - { issuer: "%s", algorithms: [RS256], audiences: [%s], jwks-file: "%s" }
                      forward-headers: { consumer: X-Consumer-Id }
                  - id: secure-key
                    upstream: demo
                    match: { path-prefix: /secure/key }
                    api-key: { pepper-file: "%s", keys: [], keys-from: consul, forward-headers: { consumer: X-Consumer-Id } }
                """.formatted(ISSUER, AUDIENCE, jwksFile(), pepperFile());
    }

    /** A token for {@code subject} signed with this run's key, valid for {@code ttl}. */
    public String token(String subject, Duration ttl) {
        return sign(signing, subject, ttl);
    }

    /** A well-formed token signed by a key the route does not trust (must be refused). */
    public static String foreignToken(String subject) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return sign(g.generateKeyPair(), subject, Duration.ofMinutes(5));
    }

    private static String sign(KeyPair kp, String subject, Duration ttl) {
        long now = Instant.now().getEpochSecond();
        String header = b64("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + KID + "\"}");
        String claims = b64("{\"iss\":\"%s\",\"aud\":\"%s\",\"sub\":\"%s\",\"iat\":%d,\"exp\":%d}".formatted(ISSUER,
                AUDIENCE, subject, now, now + ttl.toSeconds()));
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(kp.getPrivate());
            s.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
            return header + "." + claims + "." + B64URL.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RS256 signing: " + e.getMessage(), e);
        }
    }

    private static String b64(String json) {
        return B64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Base64url of the magnitude without a sign byte (RFC 7518 §6.3.1). */
    private static String unsigned(BigInteger v) {
        byte[] b = v.toByteArray();
        return B64URL.encodeToString(b.length > 1 && b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b);
    }

    public int tlsPort() {
        return tlsPort;
    }

    Path jwksFile() {
        return ca.dir().resolve("jwks.json");
    }

    public Path pepperFile() {
        return ca.dir().resolve("api-key-pepper");
    }

    private Path bundleFile() {
        return ca.dir().resolve("front-bundle.pem");
    }

    /** The key {@code bin/loomgate keys create} printed for the smoke check's client, once made. */
    public Optional<String> apiKey() {
        return apiKey;
    }

    void apiKey(String key) {
        apiKey = Optional.of(key);
    }
}
