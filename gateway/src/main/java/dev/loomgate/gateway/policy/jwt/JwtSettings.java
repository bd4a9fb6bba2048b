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
 * @param verifiedCacheSize tokens kept after a successful check, so a repeated token skips the signature check
 *                       (0: every request is checked)
 * @param verifiedCacheTtl  longest a kept token is admitted without a new check (its {@code exp} ends it sooner)
 */
public record JwtSettings(List<IssuerSettings> issuers, Duration clockSkew, List<String> requiredClaims,
                          Map<String, List<String>> claimValues, int maxTokenSize, AuthOptions options,
                          int verifiedCacheSize, Duration verifiedCacheTtl) {
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_TOKEN_SIZE = 8 * 1024;
    /** About 1.2 KB per kept token (the token string and its identity): 5 MB at most. */
    public static final int DEFAULT_VERIFIED_CACHE_SIZE = 4096;
    public static final Duration DEFAULT_VERIFIED_CACHE_TTL = Duration.ofSeconds(60);

    public JwtSettings {
        issuers = List.copyOf(issuers);
        Objects.requireNonNull(clockSkew, "clockSkew");
        requiredClaims = List.copyOf(requiredClaims);
        claimValues = Map.copyOf(claimValues);
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(verifiedCacheTtl, "verifiedCacheTtl");
    }
}
