package dev.loomgate.gateway.policy.introspection;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * A node's introspection results (node service, kept across routes versions) and the HTTP client that asks the
 * IdP. Results are keyed by a scope (SHA-256 of endpoint and client id) and SHA-256 of the token: no cache holds
 * a token. With a {@link SharedIntrospectionStore} (Redis) answers are shared by all nodes and read from there;
 * the node's own copies are used only while the store does not answer.
 */
public final class IntrospectionCache implements AutoCloseable {
    public static final int DEFAULT_MAX_ENTRIES = 100_000;

    /** An introspection answer and until when (System.nanoTime) it may be reused. */
    record Cached(IntrospectionResult result, long expiresAtNanos) {
    }

    private final int maxEntries;
    private final Map<String, Cached> entries = new ConcurrentHashMap<>();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final HttpClient http;
    /** Calls under way, by key: concurrent requests with one uncached token make one call (single flight). */
    private final Map<String, CompletableFuture<IntrospectionResult>> inFlight = new ConcurrentHashMap<>();

    /** One introspection call. */
    @FunctionalInterface
    interface Call {
        IntrospectionResult run() throws IntrospectionClient.Unavailable;
    }

    private final Optional<SharedIntrospectionStore> shared;
    /** Every scope a filter of this node used: a revocation evicts the token under each. */
    private final Set<String> scopes = ConcurrentHashMap.newKeySet();
    private final LongAdder sharedHits = new LongAdder();

    public IntrospectionCache(int maxEntries) {
        this(maxEntries, Optional.empty());
    }

    public IntrospectionCache(int maxEntries, Optional<SharedIntrospectionStore> shared) {
        this.maxEntries = maxEntries;
        this.shared = shared;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    HttpClient http() {
        return http;
    }

    /** The cache scope of a filter's settings; registers it for revocations. */
    String scope(IntrospectionSettings s) {
        String scope = sha256Hex(s.endpoint() + "\u0000" + s.clientId()).substring(0, 16);
        scopes.add(scope);
        return scope;
    }

    static String key(String scope, String token) {
        return scope + ":" + sha256Hex(token);
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static String sharedKey(String key) {
        return "loomgate:introspection:" + key;
    }

    Optional<IntrospectionResult> find(String key) {
        if (shared.isPresent()) {
            SharedIntrospectionStore.Read read = shared.get().get(sharedKey(key));
            if (read.reachable()) {
                Optional<IntrospectionResult> r = read.value().flatMap(IntrospectionCache::parse);
                (r.isPresent() ? sharedHits : misses).increment();
                return r;
            }
            // the store is down: this node's own copies stand in
        }
        Cached c = entries.get(key);
        if (c == null || c.expiresAtNanos() - System.nanoTime() <= 0) {
            misses.increment();
            return Optional.empty();
        }
        hits.increment();
        return Optional.of(c.result());
    }

    private static Optional<IntrospectionResult> parse(String json) {
        try {
            return Optional.of(IntrospectionClient.parse(json));
        } catch (IntrospectionClient.Unavailable e) {
            return Optional.empty(); // not ours or damaged: ask the IdP again
        }
    }

    /**
     * Runs the call for this key unless one is under way, in which case it waits for that call's answer (at most
     * {@code wait}); either way the answer is the one call's.
     */
    IntrospectionResult singleFlight(String key, Duration wait, Call call) throws IntrospectionClient.Unavailable {
        CompletableFuture<IntrospectionResult> mine = new CompletableFuture<>();
        CompletableFuture<IntrospectionResult> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            try {
                return running.get(wait.toNanos(), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IntrospectionClient.Unavailable u ? u
                        : new IntrospectionClient.Unavailable("failed: " + e.getCause());
            } catch (TimeoutException e) {
                throw new IntrospectionClient.Unavailable("no answer within " + wait.toMillis() + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IntrospectionClient.Unavailable("interrupted");
            }
        }
        try {
            IntrospectionResult result = call.run();
            mine.complete(result);
            return result;
        } catch (IntrospectionClient.Unavailable | RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    void store(String key, IntrospectionResult result, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            return;
        }
        if (entries.size() >= maxEntries) {
            prune();
        }
        entries.put(key, new Cached(result, System.nanoTime() + ttl.toNanos()));
        shared.ifPresent(store -> store.put(sharedKey(key), result.toJson(), ttl));
    }

    /**
     * Forgets every cached answer for this token, on this node and in the shared store (so on every node that
     * shares it). The next request with the token asks the IdP again.
     *
     * @return the entries removed here and in the shared store (-1 in the store's part when it did not answer)
     */
    public Eviction evict(String token) {
        String tokenHash = sha256Hex(token);
        int local = 0;
        List<String> sharedKeys = new ArrayList<>();
        for (String scope : scopes) {
            String key = scope + ":" + tokenHash;
            if (entries.remove(key) != null) {
                local++;
            }
            sharedKeys.add(sharedKey(key));
        }
        long inStore = shared.map(store -> store.delete(sharedKeys.toArray(String[]::new))).orElse(0L);
        return new Eviction(local, shared.isPresent(), inStore);
    }

    /** What {@link #evict} removed. */
    public record Eviction(int local, boolean sharedStore, long shared) {
    }

    public long sharedHits() {
        return sharedHits.sum();
    }

    /** Drops expired entries; when that frees nothing, drops everything (a full cache only costs re-asking). */
    private void prune() {
        long now = System.nanoTime();
        entries.values().removeIf(c -> c.expiresAtNanos() - now <= 0);
        if (entries.size() >= maxEntries) {
            entries.clear();
        }
    }

    public long hits() {
        return hits.sum();
    }

    public long misses() {
        return misses.sum();
    }

    @Override
    public void close() {
        http.close();
        entries.clear();
    }
}
