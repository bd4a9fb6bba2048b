package dev.loomgate.gateway.policy.jwt;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.loomgate.gateway.policy.auth.AuthOptions;

/**
 * A route's {@code jwt:} filter, parsed and checked.
 *
 * @param issuers        trusted issuers, by their {@code iss}
 * @param clockSkew      tolerance on {@code exp} and {@code nbf}
 * @param requiredClaims claims that must be present (besides {@code iss} and {@code exp}, always required)
 * @param claimValues    claim name to the values it must contain (all of them), e.g. scope: [orders:write]
 * @param maxTokenSize   longer tokens are refused before any parsing
 * @param options        where the token is and what goes upstream
 */
public record JwtSettings(List<IssuerSettings> issuers, Duration clockSkew, List<String> requiredClaims,
                          Map<String, List<String>> claimValues, int maxTokenSize, AuthOptions options) {
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_TOKEN_SIZE = 8 * 1024;

    public JwtSettings {
        issuers = List.copyOf(issuers);
        Objects.requireNonNull(clockSkew, "clockSkew");
        requiredClaims = List.copyOf(requiredClaims);
        claimValues = Map.copyOf(claimValues);
        Objects.requireNonNull(options, "options");
    }
}
