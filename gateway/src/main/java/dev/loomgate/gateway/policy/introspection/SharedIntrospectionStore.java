package dev.loomgate.gateway.policy.introspection;

import java.time.Duration;
import java.util.Optional;

/**
 * Where the nodes of a cluster share introspection answers (Redis, when the node has a {@code redis:} block), so
 * that a token introspected on one node is not introspected again on another, and an eviction holds for all.
 * Implementations never throw and answer within their own (short) timeouts.
 */
public interface SharedIntrospectionStore {
    /** A lookup: the stored answer (empty when absent), or unreachable. */
    record Read(boolean reachable, Optional<String> value) {
    }

    Read get(String key);

    void put(String key, String value, Duration ttl);

    /** The number of keys removed, or -1 when the store did not answer. */
    long delete(String... keys);
}
