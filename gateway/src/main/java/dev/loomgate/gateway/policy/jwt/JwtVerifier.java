package dev.loomgate.gateway.policy.jwt;

import java.text.ParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import dev.loomgate.gateway.pipeline.ConsumerIdentity;
import dev.loomgate.gateway.policy.auth.Challenge;
import dev.loomgate.gateway.policy.auth.CredentialSource;
import dev.loomgate.gateway.policy.auth.IdentityForwarding;

/**
 * Checks one token against a {@link JwtSettings}: size, structure, issuer (picked by the unverified {@code iss},
 * then verified), pinned algorithm, signature with the issuer's keys, {@code exp}/{@code nbf}/{@code aud} with
 * the clock skew, required claims and claim values. Immutable and thread-safe; nimbus' processors are.
 */
final class JwtVerifier {
    static final String SCHEME = "Bearer";

    /** The outcome: an identity, or the refusal to answer with. */
    sealed interface Result {
        record Admitted(ConsumerIdentity identity) implements Result {
        }

        record Refused(Challenge challenge, String reason) implements Result {
        }
    }

    private final JwtSettings settings;
    private final Map<String, DefaultJWTProcessor<SecurityContext>> byIssuer = new HashMap<>();
    private final VerifiedTokens verified;

    JwtVerifier(JwtSettings settings, KeySets keySets) {
        this(settings, keySets, System::currentTimeMillis);
    }

    JwtVerifier(JwtSettings settings, KeySets keySets, java.util.function.LongSupplier clockMillis) {
        this.settings = settings;
        this.verified = new VerifiedTokens(settings.verifiedCacheSize(), settings.verifiedCacheTtl(), clockMillis);
        for (IssuerSettings issuer : settings.issuers()) {
            JWKSource<SecurityContext> keys = issuer.jwks().isPresent() ? keySets.source(issuer.jwks().get())
                    : new ImmutableJWKSet<>(issuer.staticKeys().orElseThrow());
            DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
            p.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"),
                    null));
            p.setJWSKeySelector(new EdDsaKeys.Selector(Set.copyOf(issuer.algorithms()), keys));
            p.setJWSVerifierFactory(new EdDsaKeys.VerifierFactory());
            Set<String> required = new HashSet<>(settings.requiredClaims());
            required.add("exp");
            required.add("iss");
            DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                    issuer.audiences().isEmpty() ? null : Set.copyOf(issuer.audiences()),
                    new JWTClaimsSet.Builder().issuer(issuer.issuer()).build(), required, null);
            claims.setMaxClockSkew((int) settings.clockSkew().toSeconds());
            p.setJWTClaimsSetVerifier(claims);
            byIssuer.put(issuer.issuer(), p);
        }
    }

    /** Tokens kept as verified now, for tests. */
    int cachedTokens() {
        return verified.size();
    }

    Result verify(String token) {
        return verify(CredentialSource.Located.of(token));
    }

    /** Checks the token where the request holds it; copied out of the request's text only on a cache miss. */
    Result verify(CredentialSource.Located located) {
        if (located.length() > settings.maxTokenSize()) {
            return refused("token too large", "token of " + located.length() + " chars exceeds max-token-size");
        }
        Optional<ConsumerIdentity> known = verified.find(located.source(), located.start(), located.end());
        if (known.isPresent()) {
            return new Result.Admitted(known.get());
        }
        return verifyNow(located.value());
    }

    private Result verifyNow(String token) {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            return refused("malformed token", "unparsable: " + e.getMessage());
        }
        if (!(jwt instanceof SignedJWT signed)) {
            return refused("unsigned or encrypted tokens are not accepted", "alg " + jwt.getHeader().getAlgorithm());
        }
        String iss;
        try {
            iss = Optional.ofNullable(signed.getJWTClaimsSet().getIssuer()).orElse("");
        } catch (ParseException e) {
            return refused("malformed token", "claims unparsable: " + e.getMessage());
        }
        DefaultJWTProcessor<SecurityContext> processor = byIssuer.get(iss);
        if (processor == null) {
            return refused("untrusted issuer", "iss not configured");
        }
        JWSAlgorithm alg = signed.getHeader().getAlgorithm();
        JWTClaimsSet claims;
        try {
            claims = processor.process(signed, null);
        } catch (ExpiredJWTException e) {
            return refused("token expired", e.getMessage());
        } catch (BadJWTException e) {
            return refused(claimsDescription(e.getMessage()), e.getMessage());
        } catch (BadJOSEException e) {
            return refused("signature or key rejected", alg + ": " + e.getMessage());
        } catch (JOSEException e) {
            // key source failures (JWKS down, garbage, timed out) with no usable cached keys
            return refused("signing keys unavailable", e.getMessage());
        }
        Result result = admit(claims, iss);
        if (result instanceof Result.Admitted a) {
            long skew = settings.clockSkew().toMillis();
            long notBefore = claims.getNotBeforeTime() == null ? Long.MIN_VALUE
                    : claims.getNotBeforeTime().getTime() - skew;
            verified.admitted(token, a.identity(), notBefore, claims.getExpirationTime().getTime() + skew);
        }
        return result;
    }

    private Result admit(JWTClaimsSet claims, String iss) {
        for (Map.Entry<String, List<String>> want : settings.claimValues().entrySet()) {
            Object value = claims.getClaim(want.getKey());
            List<String> have = values(value);
            for (String v : want.getValue()) {
                if (!have.contains(v)) {
                    String scope = want.getKey().equals("scope") ? String.join(" ", want.getValue()) : "";
                    return new Result.Refused(Challenge.insufficient(SCHEME, "token lacks " + want.getKey() + " '"
                            + v + "'", scope), "claim " + want.getKey() + " lacks a required value");
                }
            }
        }
        String subject = claims.getSubject();
        if (subject == null || subject.isBlank()) {
            Object clientId = claims.getClaim("client_id");
            subject = clientId instanceof String s ? s : "";
        }
        if (subject.isBlank()) {
            return refused("token has no subject", "neither sub nor client_id");
        }
        Object scope = claims.getClaim("scope") != null ? claims.getClaim("scope") : claims.getClaim("scp");
        return new Result.Admitted(new ConsumerIdentity(subject, IdentityForwarding.scopes(scope),
                JwtFilterFactory.KEY, iss));
    }

    /** A claim's values: the words of a string (OAuth2 scope style), the items of a list, or the scalar itself. */
    private static List<String> values(Object value) {
        if (value instanceof String || value instanceof List<?>) {
            return IdentityForwarding.scopes(value);
        }
        return value == null ? List.of() : List.of(String.valueOf(value));
    }

    /** Nimbus' claim messages name the failed check; the client gets the check, not the values. */
    private static String claimsDescription(String message) {
        String m = message == null ? "" : message.toLowerCase(java.util.Locale.ROOT);
        if (m.contains("before use time")) {
            return "token not yet valid";
        }
        if (m.contains("missing required claims")) {
            return "token lacks a required claim";
        }
        if (m.contains("audience") || m.contains("aud claim")) {
            return "token audience not accepted";
        }
        if (m.contains("iss claim")) {
            return "untrusted issuer";
        }
        return "token claims rejected";
    }

    private static Result refused(String description, String reason) {
        return new Result.Refused(Challenge.invalid(SCHEME, description), reason);
    }
}
