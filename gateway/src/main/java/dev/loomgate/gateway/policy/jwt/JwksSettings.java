package dev.loomgate.gateway.policy.jwt;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How one issuer's JWKS URL is fetched and cached. Equal settings share one key cache on a node (across routes
 * and routes versions), so a reload does not refetch keys and two routes of one IdP cost one fetch.
 *
 * @param url             the JWKS document (http or https)
 * @param timeout         connect and read timeout of one fetch; a request that needs keys waits at most this long
 * @param cacheTtl        how long fetched keys are used before they are fetched again
 * @param refreshAhead    how long before the TTL ends a request triggers a background refresh
 * @param minRefetch      at most one fetch per this interval for unknown {@code kid}s (a flood of forged kids
 *                        cannot hammer the IdP)
 * @param outageTolerance how long the last good keys keep serving while the IdP cannot be reached
 * @param maxSize         the largest JWKS document accepted, in bytes
 */
public record JwksSettings(URI url, Duration timeout, Duration cacheTtl, Duration refreshAhead, Duration minRefetch,
                           Duration outageTolerance, int maxSize) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_REFRESH_AHEAD = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MIN_REFETCH = Duration.ofSeconds(30);
    public static final Duration DEFAULT_OUTAGE_TOLERANCE = Duration.ofHours(1);
    public static final int DEFAULT_MAX_SIZE = 256 * 1024;

    public JwksSettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(cacheTtl, "cacheTtl");
        Objects.requireNonNull(refreshAhead, "refreshAhead");
        Objects.requireNonNull(minRefetch, "minRefetch");
        Objects.requireNonNull(outageTolerance, "outageTolerance");
    }
}
