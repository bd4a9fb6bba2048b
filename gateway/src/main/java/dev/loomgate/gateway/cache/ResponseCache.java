package dev.loomgate.gateway.cache;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.github.benmanes.caffeine.cache.Cache;

import dev.loomgate.gateway.observe.PrometheusText;

/**
 * The node's response cache: L1 in this JVM (Caffeine, bounded by bytes), L2 in the shared store when there is one,
 * invalidation messages between nodes, per-route purge generations and the cluster-wide miss lease. Every L2 failure
 * is caught and counted: with Redis down the cache is L1 only and requests never fail because of it. See
 * docs/CACHE.md for the consistency bounds.
 */
public final class ResponseCache implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ResponseCache.class.getName());
    public static final long DEFAULT_L1_BYTES = 64L << 20;
    /** How often a route's generation is re-read from L2 after a failed read (never on an L1 hit otherwise). */
    private static final long GENERATION_RETRY_MILLIS = 1_000;

    private final Cache<L1.Key, L1.Entry> l1;
    private final Optional<SharedCacheStore> l2;
    private final String nodeId;
    private final LongSupplier clock;
    private final CacheMetrics metrics = new CacheMetrics();
    private final Invalidations invalidations;
    /** route id -> purge generation (part of every primary key), cached so an L1 hit never asks L2. */
    private final ConcurrentHashMap<String, long[]> generations = new ConcurrentHashMap<>();
    /** In-flight misses on this node: later requests for the key wait for the first. */
    private final ConcurrentHashMap<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
    /**
     * Bumped by every local drop. An L2 read that raced with an invalidation (read the old value, message handled
     * before the L1 put) must not put the old value back into L1 for its whole lifetime: such a read is served once
     * and not kept.
     */
    private final java.util.concurrent.atomic.AtomicLong dropEpoch = new java.util.concurrent.atomic.AtomicLong();
    /** The same per key (striped): a store on another node drops one key and must not stop L1 fills of all others. */
    private final java.util.concurrent.atomic.AtomicLongArray keyDrops = new java.util.concurrent.atomic.AtomicLongArray(1024);

    private long epoch(String primary) {
        return dropEpoch.get() * 31 + keyDrops.get(primary.hashCode() & 1023);
    }

    public ResponseCache(long l1Bytes, Optional<SharedCacheStore> l2, String nodeId, LongSupplier clock) {
        this.l2 = l2;
        this.nodeId = nodeId;
        this.clock = clock;
        this.l1 = L1.create(l1Bytes, clock, metrics.evictions);
        this.invalidations = new Invalidations(this, nodeId, clock);
        l2.ifPresent(s -> s.subscribe(invalidations));
    }

    /** A node without Redis: L1 only. */
    public static ResponseCache local(String nodeId) {
        return new ResponseCache(DEFAULT_L1_BYTES, Optional.empty(), nodeId, System::currentTimeMillis);
    }

    public CacheMetrics metrics() {
        return metrics;
    }

    public long now() {
        return clock.getAsLong();
    }

    public boolean shared() {
        return l2.isPresent();
    }

    // ---- lookups and stores ----

    /**
     * The stored response for a request: the key's vary spec, then the variant {@code variantOf} names. A response
     * that varies on nothing is found with one L1 lookup.
     */
    public Optional<CachedResponse> lookup(CacheKey key, java.util.function.Function<VarySpec, String> variantOf) {
        L1.Entry e = l1.getIfPresent(new L1.Key(key.raw(), ""));
        if (e != null && e.value() instanceof L1.NoVary nv) {
            return Optional.of(nv.response());
        }
        if (e != null && e.value() instanceof VarySpec s && !s.names().isEmpty()) {
            return variant(key, variantOf.apply(s));
        }
        long epoch = epoch(key.primary());
        Optional<VarySpec> spec = spec(key);
        if (spec.isEmpty()) {
            return Optional.empty();
        }
        Optional<CachedResponse> r = variant(key, variantOf.apply(spec.get()));
        if (r.isPresent() && spec.get().names().isEmpty() && epoch == epoch(key.primary())) {
            l1.put(new L1.Key(key.raw(), ""), new L1.Entry(r.get().routeId(), key.primary(),
                    new L1.NoVary(spec.get(), r.get()), r.get().weight(), r.get().lastUsableMillis()));
        }
        return r;
    }

    public Optional<VarySpec> spec(CacheKey key) {
        L1.Key k = new L1.Key(key.raw(), "");
        L1.Entry e = l1.getIfPresent(k);
        if (e != null && e.value() instanceof VarySpec s) {
            return Optional.of(s);
        }
        if (e != null && e.value() instanceof L1.NoVary nv) {
            return Optional.of(nv.spec());
        }
        String primary = key.primary();
        long epoch = epoch(primary);
        Optional<VarySpec> spec = l2Get(CacheKeys.specKey(primary)).flatMap(VarySpec::decode);
        if (epoch == epoch(primary)) {
            spec.ifPresent(s -> l1.put(k, new L1.Entry(key.routeId(), primary, s, 256, s.lastUsableMillis())));
        }
        return spec;
    }

    private Optional<CachedResponse> variant(CacheKey key, String variant) {
        L1.Key k = new L1.Key(key.raw(), variant);
        L1.Entry e = l1.getIfPresent(k);
        if (e != null && e.value() instanceof CachedResponse r) {
            return Optional.of(r);
        }
        String primary = key.primary();
        long epoch = epoch(primary);
        Optional<CachedResponse> r = l2Get(CacheKeys.variantKey(primary, variant)).flatMap(CachedResponse::decode);
        if (epoch == epoch(primary)) {
            r.ifPresent(x -> l1.put(k, new L1.Entry(x.routeId(), primary, x, x.weight(), x.lastUsableMillis())));
        }
        return r;
    }

    /** Stores a response in L1 and L2 and tells the other nodes to drop their copies of the key. */
    public void store(CacheKey key, VarySpec spec, String variant, CachedResponse r) {
        long ttl = r.lastUsableMillis() - now();
        if (ttl <= 0) {
            return;
        }
        String primary = key.primary();
        String sk = CacheKeys.specKey(primary);
        String vk = CacheKeys.variantKey(primary, variant);
        if (spec.names().isEmpty()) {
            l1.put(new L1.Key(key.raw(), ""), new L1.Entry(r.routeId(), primary, new L1.NoVary(spec, r), r.weight(),
                    r.lastUsableMillis()));
        } else {
            l1.put(new L1.Key(key.raw(), ""), new L1.Entry(r.routeId(), primary, spec, 256, spec.lastUsableMillis()));
            l1.put(new L1.Key(key.raw(), variant), new L1.Entry(r.routeId(), primary, r, r.weight(),
                    r.lastUsableMillis()));
        }
        metrics.route(r.routeId()).stored.increment();
        metrics.storedBytes.add(r.body().length);
        l2Run(s -> {
            s.put(sk, spec.encode(), Math.max(1, spec.lastUsableMillis() - now()));
            s.put(vk, r.encode(), ttl);
            for (String tag : r.tags()) {
                s.addToSet(CacheKeys.tagKey(tag), vk, ttl);
            }
            s.publish(invalidations.message(Invalidations.KEY, primary));
        });
    }

    /** A new vary spec for a primary key (a new nonce: older variants are unreachable). */
    public VarySpec newSpec(java.util.List<String> names, long lastUsableMillis) {
        return new VarySpec(UUID.randomUUID().toString().substring(0, 13), names, lastUsableMillis);
    }

    /** The current purge generation of a route (L2's, cached; 0 without L2). */
    public long generation(String routeId) {
        long[] g = generations.get(routeId);
        long now = now();
        if (g != null && (g[1] == 0 || now < g[1])) {
            return g[0];
        }
        if (l2.isEmpty()) {
            return 0;
        }
        Optional<byte[]> read;
        try {
            read = l2.get().get(CacheKeys.generationKey(routeId));
        } catch (RuntimeException e) {
            l2Failed(e);
            long known = g == null ? 0 : g[0];
            generations.put(routeId, new long[]{known, now + GENERATION_RETRY_MILLIS});
            return known;
        }
        long value = read.map(b -> parseLong(new String(b, java.nio.charset.StandardCharsets.US_ASCII))).orElse(0L);
        generations.put(routeId, new long[]{value, 0});
        return value;
    }

    // ---- purges ----

    /**
     * How a purge went: {@code everywhere} is false when the shared store could not be told (Redis unreachable after
     * {@link #PURGE_ATTEMPTS} tries): then only this node dropped its entries, and the caller should retry.
     *
     * @param value the new route generation, or the number of tagged entries deleted in L2
     */
    public record Purge(boolean everywhere, long value) {
    }

    /** Purges are idempotent (an extra route generation is harmless): a transient Redis error is retried. */
    static final int PURGE_ATTEMPTS = 3;

    /** Drops one primary key (all its variants) everywhere. */
    public Purge purgeKey(String primary) {
        dropPrimaryLocally(primary);
        return new Purge(l2Retry(s -> {
            s.delete(CacheKeys.specKey(primary));
            s.publish(invalidations.message(Invalidations.KEY, primary));
        }), 0);
    }

    /** Drops every entry of a route everywhere: a new generation makes all its old keys unreachable. */
    public Purge purgeRoute(String routeId) {
        dropRouteLocally(routeId);
        long[] next = {generation(routeId) + 1};
        boolean everywhere = l2Retry(s -> {
            next[0] = s.increment(CacheKeys.generationKey(routeId));
            s.publish(invalidations.message(Invalidations.ROUTE, next[0] + " " + routeId));
        });
        generations.put(routeId, new long[]{next[0], 0});
        return new Purge(everywhere, next[0]);
    }

    /** Drops every entry stored with this tag (upstream Cache-Tag / Surrogate-Key) everywhere. */
    public Purge purgeTag(String tag) {
        dropTagLocally(tag);
        long[] deleted = {0};
        boolean everywhere = l2Retry(s -> {
            String tk = CacheKeys.tagKey(tag);
            for (String member : s.members(tk, 100_000)) {
                s.delete(member);
                deleted[0]++;
            }
            s.delete(tk);
            s.publish(invalidations.message(Invalidations.TAG, tag));
        });
        return new Purge(everywhere, deleted[0]);
    }

    private boolean l2Retry(StoreAction action) {
        for (int i = 0; i < PURGE_ATTEMPTS; i++) {
            if (l2Run(action)) {
                return true;
            }
        }
        return false;
    }

    void dropPrimaryLocally(String primary) {
        keyDrops.incrementAndGet(primary.hashCode() & 1023);
        l1.asMap().values().removeIf(e -> e.primary().equals(primary));
    }

    void dropRouteLocally(String routeId) {
        dropEpoch.incrementAndGet();
        l1.asMap().values().removeIf(e -> e.routeId().equals(routeId));
    }

    void dropTagLocally(String tag) {
        dropEpoch.incrementAndGet();
        l1.asMap().values().removeIf(e -> (e.value() instanceof CachedResponse r && r.tags().contains(tag))
                || (e.value() instanceof L1.NoVary nv && nv.response().tags().contains(tag)));
    }

    void routeGeneration(String routeId, long generation) {
        dropRouteLocally(routeId);
        generations.put(routeId, new long[]{generation, 0});
    }

    /** Everything in L1 (and every cached generation) goes: after a missed message nothing stale may stay. */
    public void flushLocal() {
        dropEpoch.incrementAndGet();
        l1.invalidateAll();
        generations.clear();
        metrics.flushes.increment();
    }

    public long l1Entries() {
        return l1.estimatedSize();
    }

    // ---- collapsing ----

    /** Becomes this node's leader for a missing key (empty) or returns the leader's completion to wait for. */
    public Optional<CompletableFuture<Void>> joinInFlight(String primary, CompletableFuture<Void> mine) {
        return Optional.ofNullable(inFlight.putIfAbsent(primary, mine));
    }

    public void leaveInFlight(String primary, CompletableFuture<Void> mine) {
        inFlight.remove(primary, mine);
        mine.complete(null);
    }

    /** Takes the cluster-wide lease for a missing key. True without L2 (this node is the cluster) or when L2 fails. */
    public Optional<String> tryLease(String primary, long ttlMillis) {
        if (l2.isEmpty()) {
            return Optional.of("");
        }
        String owner = nodeId + ":" + UUID.randomUUID();
        try {
            return l2.get().tryLease(CacheKeys.leaseKey(primary), owner, ttlMillis) ? Optional.of(owner)
                    : Optional.empty();
        } catch (RuntimeException e) {
            l2Failed(e);
            return Optional.of("");
        }
    }

    public void releaseLease(String primary, String owner) {
        if (!owner.isEmpty()) {
            l2Run(s -> s.releaseLease(CacheKeys.leaseKey(primary), owner));
        }
    }

    /** Whether another node still holds the lease (false when L2 fails: stop waiting). */
    public boolean leaseHeld(String primary) {
        try {
            return l2.isPresent() && l2.get().exists(CacheKeys.leaseKey(primary));
        } catch (RuntimeException e) {
            l2Failed(e);
            return false;
        }
    }

    // ---- L2 plumbing ----

    private Optional<byte[]> l2Get(String key) {
        if (l2.isEmpty()) {
            return Optional.empty();
        }
        try {
            metrics.l2Reads.increment();
            return l2.get().get(key);
        } catch (RuntimeException e) {
            l2Failed(e);
            return Optional.empty();
        }
    }

    private interface StoreAction {
        void run(SharedCacheStore store);
    }

    /** Runs against L2; false when L2 failed (counted), true when it worked or there is none. */
    private boolean l2Run(StoreAction action) {
        if (l2.isEmpty()) {
            return true;
        }
        try {
            action.run(l2.get());
            return true;
        } catch (RuntimeException e) {
            l2Failed(e);
            return false;
        }
    }

    private void l2Failed(RuntimeException e) {
        metrics.l2Errors.increment();
        LOG.log(Level.FINE, "cache L2 unavailable, L1 only", e);
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public void writeMetrics(PrometheusText p) {
        metrics.write(p, l1.estimatedSize(), l1.policy().eviction().map(ev -> ev.weightedSize().orElse(0)).orElse(0L),
                invalidations);
    }

    @Override
    public void close() {
        l2.ifPresent(SharedCacheStore::close);
    }
}
