package dev.loomgate.gateway.cache;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;

/**
 * The node's L1: Caffeine bounded by weighed bytes (body, headers, key text), each entry expiring when no rule could
 * serve it any more; evictions for space are counted.
 */
final class L1 {
    private L1() {
    }

    /** An L1 value: a vary spec or a response, with what purges match on. */
    record Entry(String routeId, String primary, Object value, int weight, long lastUsableMillis) {
    }

    /** The L1 value under a key whose responses vary on nothing: spec and response in one lookup (the hot path). */
    record NoVary(VarySpec spec, CachedResponse response) {
    }

    /** L1 is keyed by the raw key text (no digest on a hit); {@code variant} is empty for the vary spec. */
    record Key(String raw, String variant) {
    }

    static Cache<Key, Entry> create(long maxBytes, LongSupplier clock, LongAdder evictions) {
        return Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((Key k, Entry e) -> e.weight() + 2 * k.raw().length())
                .expireAfter(new Expiry<Key, Entry>() {
                    @Override
                    public long expireAfterCreate(Key key, Entry e, long currentTime) {
                        return TimeUnit.MILLISECONDS.toNanos(Math.max(1, e.lastUsableMillis() - clock.getAsLong()));
                    }

                    @Override
                    public long expireAfterUpdate(Key key, Entry e, long currentTime, long currentDuration) {
                        return expireAfterCreate(key, e, currentTime);
                    }

                    @Override
                    public long expireAfterRead(Key key, Entry e, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .removalListener((Key k, Entry e, RemovalCause cause) -> {
                    if (cause == RemovalCause.SIZE) {
                        evictions.increment();
                    }
                })
                .executor(Runnable::run) // maintenance on the caller: no background threads to stop
                .build();
    }
}
