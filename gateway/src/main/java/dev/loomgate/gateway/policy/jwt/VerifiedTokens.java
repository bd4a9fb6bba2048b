package dev.loomgate.gateway.policy.jwt;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import dev.loomgate.gateway.pipeline.ConsumerIdentity;

/**
 * Tokens this filter has already verified, so that a client sending the same token again costs a map lookup
 * instead of a signature check (an RS256 verify is tens of µs, more than the rest of the proxy path; Envoy's
 * {@code jwt_cache_config} does the same). Keyed by the whole token string, so only the exact bytes that were
 * verified match. Only admitted tokens are kept, each until the earliest of its {@code exp} (plus the clock
 * skew, as the check allows) and {@code ttl} after it was verified: {@code ttl} bounds how long a token signed
 * by a key the issuer has since withdrawn keeps working. Bounded by {@code capacity} entries as two generations
 * (a full current generation becomes the old one and a new one starts; a hit in the old one moves to the
 * current), so no lock and no per-entry bookkeeping on the request path.
 */
final class VerifiedTokens {
    private record Entry(ConsumerIdentity identity, long notBeforeMillis, long expiresMillis, long keepUntilMillis) {
    }

    private record Generations(ConcurrentHashMap<String, Entry> current, ConcurrentHashMap<String, Entry> old,
                               AtomicInteger currentSize) {
    }

    private final int halfCapacity;
    private final long ttlMillis;
    private final LongSupplier clock;
    private final AtomicReference<Generations> generations;

    /** {@code capacity} 0 keeps nothing (every request is verified). */
    VerifiedTokens(int capacity, Duration ttl, LongSupplier clockMillis) {
        this.halfCapacity = Math.max(0, capacity / 2);
        this.ttlMillis = ttl.toMillis();
        this.clock = clockMillis;
        this.generations = new AtomicReference<>(fresh(new ConcurrentHashMap<>()));
    }

    private static Generations fresh(ConcurrentHashMap<String, Entry> old) {
        return new Generations(new ConcurrentHashMap<>(), old, new AtomicInteger());
    }

    /** The identity {@code token} was admitted with, while it is still valid and kept. */
    Optional<ConsumerIdentity> find(String token) {
        if (halfCapacity == 0) {
            return Optional.empty();
        }
        Generations g = generations.get();
        Entry e = g.current().get(token);
        if (e == null) {
            e = g.old().get(token);
            if (e == null) {
                return Optional.empty();
            }
            put(token, e);
        }
        long now = clock.getAsLong();
        if (now >= e.keepUntilMillis() || now >= e.expiresMillis() || now < e.notBeforeMillis()) {
            g.current().remove(token, e);
            return Optional.empty(); // verified again: the check gives the right refusal
        }
        return Optional.of(e.identity());
    }

    /**
     * Keeps an admitted token. {@code notBefore}/{@code expires} are the token's own times widened by the clock
     * skew, as the verifier checked them.
     */
    void admitted(String token, ConsumerIdentity identity, long notBeforeMillis, long expiresMillis) {
        if (halfCapacity == 0) {
            return;
        }
        long keepUntil = Math.min(expiresMillis, clock.getAsLong() + ttlMillis);
        put(token, new Entry(identity, notBeforeMillis, expiresMillis, keepUntil));
    }

    private void put(String token, Entry e) {
        Generations g = generations.get();
        if (g.current().put(token, e) == null && g.currentSize().incrementAndGet() >= halfCapacity) {
            // one caller wins the swap; the others' entries already went into the generation that became old
            generations.compareAndSet(g, fresh(g.current()));
        }
    }

    /** Entries held now (both generations; a token in both counts twice), for tests. */
    int size() {
        Generations g = generations.get();
        return g.current().size() + g.old().size();
    }
}
