package dev.loomgate.gateway.cache;

import java.util.List;
import java.util.Optional;

/**
 * The cache's L2, shared by all nodes (Redis in production: {@code redis.RedisCacheStore}). Every method may throw a
 * RuntimeException when the store is unreachable; {@link ResponseCache} catches it, counts it and carries on with
 * L1 only. Every method touches one key, so a Redis Cluster needs no hash tags.
 */
public interface SharedCacheStore extends AutoCloseable {
    /** Invalidation messages, delivered on the store's own thread. */
    interface Listener {
        /** (Re)subscribed: messages from now on will arrive; anything before may have been missed. */
        void subscribed();

        /** One invalidation message. */
        void message(String text);

        /** The subscription broke or the store's topology changed (failover): messages may be missed. */
        void broken();
    }

    Optional<byte[]> get(String key);

    void put(String key, byte[] value, long ttlMillis);

    void delete(String key);

    /** Adds a member to a set that expires no earlier than {@code ttlMillis} from now. */
    void addToSet(String key, String member, long ttlMillis);

    /** Up to {@code max} members of a set. */
    List<String> members(String key, int max);

    /** SET key owner NX PX ttl. */
    boolean tryLease(String key, String owner, long ttlMillis);

    /** Deletes the lease if {@code owner} still holds it. */
    void releaseLease(String key, String owner);

    boolean exists(String key);

    /** INCR; the new value. */
    long increment(String key);

    void publish(String message);

    /** Starts delivering messages to the listener (one listener per store). */
    void subscribe(Listener listener);

    @Override
    void close();
}
