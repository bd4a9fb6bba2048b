package dev.loomgate.gateway.policy.jwt;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;

/**
 * One trusted issuer of a {@code jwt:} filter.
 *
 * @param issuer     the exact {@code iss} value
 * @param algorithms the only signature algorithms accepted for this issuer (asymmetric only)
 * @param audiences  accepted {@code aud} values (one must match); empty: any audience
 * @param jwks       where the keys come from: a JWKS URL ...
 * @param staticKeys ... or a fixed key set (from {@code jwks-file}); exactly one of the two is present
 */
public record IssuerSettings(String issuer, Set<JWSAlgorithm> algorithms, List<String> audiences,
                             Optional<JwksSettings> jwks, Optional<JWKSet> staticKeys) {
    public IssuerSettings {
        Objects.requireNonNull(issuer, "issuer");
        algorithms = Set.copyOf(algorithms);
        audiences = List.copyOf(audiences);
        if (jwks.isPresent() == staticKeys.isPresent()) {
            throw new IllegalArgumentException("exactly one of jwks and static keys");
        }
    }
}
