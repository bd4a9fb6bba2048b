package dev.loomgate.loadtests.security;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * The security benchmark's own RS256 signing key: its JWKS document and tokens signed with it, with the JDK only
 * (the gateway verifies with its JOSE library; signing a benchmark token needs nothing more than RFC 7515 §A.2).
 *
 * @param keyPair RSA 2048 key pair
 * @param kid     key id in the JWKS and in every token's header
 */
public record BenchKeys(KeyPair keyPair, String kid) {
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    public static BenchKeys generate() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return new BenchKeys(g.generateKeyPair(), "bench-1");
    }

    /** The JWKS document with the public key (RFC 7517). */
    public String jwks() {
        RSAPublicKey pub = (RSAPublicKey) keyPair.getPublic();
        return "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"%s\",\"n\":\"%s\",\"e\":\"%s\"}]}"
                .formatted(kid, unsigned(pub.getModulus()), unsigned(pub.getPublicExponent()));
    }

    /** A compact RS256 JWS with these claims, issued now and valid for {@code ttl}. */
    public String token(String issuer, String audience, String subject, Duration ttl) throws GeneralSecurityException {
        long now = Instant.now().getEpochSecond();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}".formatted(kid);
        String claims = "{\"iss\":\"%s\",\"aud\":\"%s\",\"sub\":\"%s\",\"iat\":%d,\"nbf\":%d,\"exp\":%d,\"scope\":\"bench\"}"
                .formatted(issuer, audience, subject, now, now - 5, now + ttl.toSeconds());
        String input = b64(header) + "." + b64(claims);
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(keyPair.getPrivate());
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + B64URL.encodeToString(s.sign());
    }

    private static String b64(String json) {
        return B64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Base64url of the big-endian magnitude without a sign byte (RFC 7518 §6.3.1). */
    static String unsigned(BigInteger v) {
        byte[] b = v.toByteArray();
        if (b.length > 1 && b[0] == 0) {
            b = java.util.Arrays.copyOfRange(b, 1, b.length);
        }
        return B64URL.encodeToString(b);
    }
}
