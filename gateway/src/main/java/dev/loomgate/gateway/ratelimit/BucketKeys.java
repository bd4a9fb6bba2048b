package dev.loomgate.gateway.ratelimit;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConfigurationBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** Redis key names and Bucket4j configurations derived from policies. */
final class BucketKeys {
    static final String PREFIX = "lg:rl:";
    /** 96 bits of SHA-1: collisions are negligible and key names stay short. */
    private static final int HASH_BYTES = 12;

    private BucketKeys() {
    }

    /**
     * {@code lg:rl:<policy>:<24 hex chars>}. The hash covers the policy's bandwidths (so a changed limit starts fresh
     * buckets instead of reusing state built for the old one), the route and the client key; raw client data never
     * appears in key names and their length is bounded.
     */
    static String redisKey(RateLimitPolicy policy, String routeId, String key) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every JDK", e);
        }
        sha1.update(fingerprint(policy.bandwidths()).getBytes(StandardCharsets.UTF_8));
        sha1.update((byte) 0);
        sha1.update(routeId.getBytes(StandardCharsets.UTF_8));
        sha1.update((byte) 0);
        sha1.update(key.getBytes(StandardCharsets.UTF_8));
        byte[] digest = sha1.digest();
        return PREFIX + policy.id() + ':' + HexFormat.of().formatHex(digest, 0, HASH_BYTES);
    }

    static String fingerprint(List<Bandwidth> bandwidths) {
        StringBuilder sb = new StringBuilder();
        for (Bandwidth b : bandwidths) {
            sb.append(b.capacity()).append('/').append(b.period().toNanos()).append('/').append(b.burst()).append(';');
        }
        return sb.toString();
    }

    static BucketConfiguration configuration(List<Bandwidth> bandwidths) {
        ConfigurationBuilder builder = BucketConfiguration.builder();
        for (Bandwidth b : bandwidths) {
            builder.addLimit(limit -> limit.capacity(b.burst()).refillGreedy(b.capacity(), b.period()));
        }
        return builder.build();
    }
}
