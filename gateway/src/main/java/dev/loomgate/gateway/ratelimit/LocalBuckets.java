package dev.loomgate.gateway.ratelimit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.local.LocalBucketBuilder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * Node-local buckets used while Redis is out (policy fallback LOCAL). Each holds this node's share of the cluster
 * limit: every bandwidth divided by the live node count at the time the bucket was made; a change of the count
 * replaces the bucket.
 */
final class LocalBuckets {
    private record Entry(int nodes, Bucket bucket) {
    }

    private final ConcurrentHashMap<String, Entry> buckets = new ConcurrentHashMap<>();
    private final IntSupplier liveNodes;
    private final int maxBuckets;

    LocalBuckets(IntSupplier liveNodes, int maxBuckets) {
        this.liveNodes = liveNodes;
        this.maxBuckets = maxBuckets;
    }

    ConsumptionProbe tryConsume(RateLimitPolicy policy, String redisKey) {
        int nodes = nodes();
        Entry entry = buckets.get(redisKey);
        if (entry == null || entry.nodes() != nodes) {
            if (buckets.size() >= maxBuckets) {
                buckets.clear();
            }
            entry = buckets.compute(redisKey,
                    (k, old) -> old != null && old.nodes() == nodes ? old : new Entry(nodes, build(policy, nodes)));
        }
        return entry.bucket().tryConsumeAndReturnRemaining(1);
    }

    /** Forgets all local state, so the next outage starts from full local buckets. */
    void clear() {
        buckets.clear();
    }

    int size() {
        return buckets.size();
    }

    private int nodes() {
        try {
            return Math.max(1, liveNodes.getAsInt());
        } catch (RuntimeException e) {
            return 1;
        }
    }

    private static Bucket build(RateLimitPolicy policy, int nodes) {
        LocalBucketBuilder builder = Bucket.builder();
        for (Bandwidth whole : policy.bandwidths()) {
            Bandwidth b = whole.dividedBy(nodes);
            builder.addLimit(limit -> limit.capacity(b.burst()).refillGreedy(b.capacity(), b.period()));
        }
        return builder.build();
    }
}
