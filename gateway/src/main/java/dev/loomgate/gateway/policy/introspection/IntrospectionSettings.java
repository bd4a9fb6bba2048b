package dev.loomgate.gateway.policy.introspection;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.loomgate.gateway.policy.auth.AuthOptions;
import dev.loomgate.gateway.policy.auth.SecretRef;

/**
 * A route's {@code oauth2-introspection:} filter, parsed and checked.
 *
 * @param endpoint         the RFC 7662 introspection endpoint
 * @param clientId         the gateway's client id at the IdP
 * @param clientSecret     where its secret is: {@code client-secret-file} or {@code client-secret-env}
 * @param timeout          the whole introspection call (connect, send, answer) is bounded by this
 * @param cacheTtl         the longest an active result is reused (also never past the token's {@code exp})
 * @param negativeCacheTtl how long an inactive result is reused
 * @param claimValues      claim name to the values it must contain, e.g. scope: [orders:write]
 * @param options          where the token is and what goes upstream
 */
public record IntrospectionSettings(URI endpoint, String clientId, SecretRef clientSecret, Duration timeout,
                                    Duration cacheTtl, Duration negativeCacheTtl,
                                    Map<String, List<String>> claimValues, AuthOptions options) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofMinutes(1);
    public static final Duration DEFAULT_NEGATIVE_CACHE_TTL = Duration.ofSeconds(10);
    public static final int MAX_TOKEN_SIZE = 8 * 1024;

    public IntrospectionSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(cacheTtl, "cacheTtl");
        Objects.requireNonNull(negativeCacheTtl, "negativeCacheTtl");
        claimValues = Map.copyOf(claimValues);
        Objects.requireNonNull(options, "options");
    }

}
