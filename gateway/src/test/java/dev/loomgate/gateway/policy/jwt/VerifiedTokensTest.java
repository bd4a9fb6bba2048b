package dev.loomgate.gateway.policy.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.pipeline.ConsumerIdentity;
import dev.loomgate.gateway.testing.RoutesFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verified-token cache: what it keeps, for how long, how many, and that the verifier uses it. */
class VerifiedTokensTest {
    private static final ConsumerIdentity ALICE = new ConsumerIdentity("alice", List.of("read"), "jwt", "me");
    private final AtomicLong now = new AtomicLong(1_000_000);

    @TempDir
    Path dir;

    @Test
    void keepsAnAdmittedTokenUntilItsExpiryOrTheTtl() {
        VerifiedTokens cache = new VerifiedTokens(100, Duration.ofSeconds(60), now::get);
        assertTrue(cache.find("t1").isEmpty());
        cache.admitted("t1", ALICE, Long.MIN_VALUE, now.get() + 10_000);
        assertEquals(ALICE, cache.find("t1").orElseThrow());
        assertTrue(cache.find("t1 ").isEmpty(), "only the exact token string matches");
        now.addAndGet(10_000);
        assertTrue(cache.find("t1").isEmpty(), "gone at its exp (+ skew, as the caller gives it)");

        cache.admitted("t2", ALICE, Long.MIN_VALUE, now.get() + 3_600_000);
        now.addAndGet(59_999);
        assertTrue(cache.find("t2").isPresent());
        now.addAndGet(1);
        assertTrue(cache.find("t2").isEmpty(), "a long-lived token is checked again after the ttl");
    }

    @Test
    void aTokenIsFoundInPlaceAndTokensWithTheSameTailStayApart() {
        VerifiedTokens cache = new VerifiedTokens(100, Duration.ofSeconds(60), now::get);
        String tail = "x".repeat(VerifiedTokens.TokenKey.HASHED_TAIL);
        cache.admitted("aaaa." + tail, ALICE, Long.MIN_VALUE, now.get() + 60_000);
        String header = "Bearer aaaa." + tail;
        assertEquals(ALICE, cache.find(header, 7, header.length()).orElseThrow(), "found inside the header value");
        assertEquals(new VerifiedTokens.TokenKey("bbbb." + tail, 0, 5 + tail.length()).hashCode(),
                new VerifiedTokens.TokenKey(header, 7, header.length()).hashCode(), "same length and tail: same hash");
        assertTrue(cache.find("bbbb." + tail).isEmpty(), "a hash collision is not a match: every character counts");
        assertTrue(cache.find(header, 8, header.length()).isEmpty(), "a part of the token is not the token");
        assertTrue(cache.find(header, 6, header.length()).isEmpty(), "nor is more than the token");
    }

    @Test
    void aTokenNotYetValidIsNotAdmittedFromTheCache() {
        VerifiedTokens cache = new VerifiedTokens(100, Duration.ofSeconds(60), now::get);
        cache.admitted("t", ALICE, now.get() + 5_000, now.get() + 50_000);
        assertTrue(cache.find("t").isEmpty());
    }

    @Test
    void holdsAtMostItsCapacityAndZeroKeepsNothing() {
        VerifiedTokens cache = new VerifiedTokens(100, Duration.ofSeconds(60), now::get);
        for (int i = 0; i < 10_000; i++) {
            cache.admitted("t" + i, ALICE, Long.MIN_VALUE, now.get() + 60_000);
            assertTrue(cache.size() <= 100, "size " + cache.size() + " after " + (i + 1));
        }
        assertTrue(cache.find("t9999").isPresent(), "the newest are kept");
        assertTrue(cache.find("t0").isEmpty(), "the oldest went");
        VerifiedTokens off = new VerifiedTokens(0, Duration.ofSeconds(60), now::get);
        off.admitted("t", ALICE, Long.MIN_VALUE, now.get() + 60_000);
        assertTrue(off.find("t").isEmpty());
    }

    @Test
    void aHitInTheOldGenerationStaysCached() {
        VerifiedTokens cache = new VerifiedTokens(4, Duration.ofSeconds(60), now::get);
        cache.admitted("hot", ALICE, Long.MIN_VALUE, now.get() + 60_000);
        for (int i = 0; i < 20; i++) {
            cache.admitted("cold" + i, ALICE, Long.MIN_VALUE, now.get() + 60_000);
            assertTrue(cache.find("hot").isPresent(), "a token in use survives the churn of others (" + i + ")");
        }
    }

    /** The verifier admits a repeated token from the cache, and never caches a refusal. */
    @Test
    void theVerifierUsesItForAdmittedTokensOnly() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(key.toPublicJWK()).toString());
        JwtSettings settings = RoutesParser.parse(RoutesFiles.ONE_ROUTE + """
                    jwt:
                      issuers:
                        - { issuer: me, algorithms: [RS256], jwks-file: %s }
                      claims: { scope: read }
                """.formatted(jwks), "routes.yaml").pipeline("a").config(JwtFilterFactory.KEY, JwtSettings.class)
                .orElseThrow();
        assertEquals(JwtSettings.DEFAULT_VERIFIED_CACHE_SIZE, settings.verifiedCacheSize());
        JwtVerifier verifier = new JwtVerifier(settings, new KeySets());
        String good = token(key, "read", 300);
        String noScope = token(key, "write", 300);
        for (int i = 0; i < 3; i++) {
            JwtVerifier.Result r = verifier.verify(good);
            assertEquals("alice", assertInstanceOf(JwtVerifier.Result.Admitted.class, r).identity().id());
            assertInstanceOf(JwtVerifier.Result.Refused.class, verifier.verify(noScope), "403 each time: " + i);
            String tampered = good.substring(0, good.length() - 4) + (good.endsWith("AAAA") ? "BBBB" : "AAAA");
            assertInstanceOf(JwtVerifier.Result.Refused.class, verifier.verify(tampered), "a changed signature");
            assertEquals(1, verifier.cachedTokens(), "the good token, kept once; no refusal kept");
        }
    }

    private static String token(RSAKey key, String scope, int ttlSeconds) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                new JWTClaimsSet.Builder().issuer("me").subject("alice").claim("scope", scope)
                        .expirationTime(new Date(System.currentTimeMillis() + ttlSeconds * 1000L)).build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }
}
