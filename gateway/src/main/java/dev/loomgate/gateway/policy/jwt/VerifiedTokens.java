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

    private record Generations(ConcurrentHashMap<TokenKey, Entry> current, ConcurrentHashMap<TokenKey, Entry> old,
                               AtomicInteger currentSize) {
    }

    /**
     * A token where it sits (in the request's header value, not copied out), compared by all of its characters
     * but hashed by its last {@value #HASHED_TAIL} only: they are signature bytes, random for every token an
     * issuer signed, and only tokens that passed the signature check are ever stored, so the tail spreads them
     * as well as the whole would. Hashing 16 characters instead of ~600 (an RS256 token) is most of a hit's cost
     * saved; the header's String is new per request, so its own hash code is never cached.
     */
    static final class TokenKey {
        static final int HASHED_TAIL = 16;
        private final String text;
        private final int start;
        private final int end;
        private final int hash;

        TokenKey(String text, int start, int end) {
            this.text = text;
            this.start = start;
            this.end = end;
            int h = end - start;
            for (int i = Math.max(start, end - HASHED_TAIL); i < end; i++) {
                h = 31 * h + text.charAt(i);
            }
            this.hash = h;
        }

        static TokenKey of(String token) {
            return new TokenKey(token, 0, token.length());
        }

        /** The same key over a String of the token alone (a stored key keeps no request's header alive). */
        TokenKey compact() {
            return start == 0 && end == text.length() ? this : of(text.substring(start, end));
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TokenKey k && k.hash == hash && k.end - k.start == end - start
                    && text.regionMatches(start, k.text, k.start, end - start);
        }
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

    private static Generations fresh(ConcurrentHashMap<TokenKey, Entry> old) {
        return new Generations(new ConcurrentHashMap<>(), old, new AtomicInteger());
    }

    /** The identity {@code token} was admitted with, while it is still valid and kept. */
    Optional<ConsumerIdentity> find(String token) {
        return find(TokenKey.of(token));
    }

    /** {@link #find(String)} for the token at {@code text[start, end)}, without copying it out. */
    Optional<ConsumerIdentity> find(String text, int start, int end) {
        return find(new TokenKey(text, start, end));
    }

    private Optional<ConsumerIdentity> find(TokenKey token) {
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
            put(token.compact(), e);
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
        put(TokenKey.of(token), new Entry(identity, notBeforeMillis, expiresMillis, keepUntil));
    }

    private void put(TokenKey token, Entry e) {
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
