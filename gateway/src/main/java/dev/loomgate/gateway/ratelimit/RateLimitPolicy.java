package dev.loomgate.gateway.ratelimit;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A named set of bandwidths applied per key. A request is admitted only when every bandwidth has a token, so the
 * tightest one bites. The id becomes part of Redis key names, hence the restricted alphabet.
 */
public record RateLimitPolicy(String id, List<Bandwidth> bandwidths, KeySource key, FailureMode onRedisFailure,
                              Synchronization synchronization) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._/-]{1,100}");

    public RateLimitPolicy {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("id: must be 1-100 characters of A-Z a-z 0-9 . _ / -, got '" + id + "'");
        }
        if (bandwidths == null || bandwidths.isEmpty()) {
            throw new IllegalArgumentException("limits: at least one limit is required");
        }
        bandwidths = List.copyOf(bandwidths);
        if (key == null) {
            throw new IllegalArgumentException("key: required");
        }
        onRedisFailure = onRedisFailure == null ? FailureMode.LOCAL : onRedisFailure;
        synchronization = synchronization == null ? Synchronization.RESERVING : synchronization;
    }

    /** LOCAL fallback, reserving (the default synchronisation). */
    public RateLimitPolicy(String id, List<Bandwidth> bandwidths, KeySource key) {
        this(id, bandwidths, key, FailureMode.LOCAL, Synchronization.RESERVING);
    }

    /** Reserving (the default synchronisation). */
    public RateLimitPolicy(String id, List<Bandwidth> bandwidths, KeySource key, FailureMode onRedisFailure) {
        this(id, bandwidths, key, onRedisFailure, Synchronization.RESERVING);
    }

    public RateLimitPolicy withSynchronization(Synchronization synchronization) {
        return new RateLimitPolicy(id, bandwidths, key, onRedisFailure, synchronization);
    }

    /** The bandwidth reported as RateLimit-Limit: the one with the smallest bucket. */
    Bandwidth headlineBandwidth() {
        Bandwidth best = bandwidths.getFirst();
        for (Bandwidth b : bandwidths) {
            if (b.burst() < best.burst()) {
                best = b;
            }
        }
        return best;
    }
}
