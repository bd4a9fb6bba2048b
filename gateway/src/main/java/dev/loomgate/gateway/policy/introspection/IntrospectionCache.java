package dev.loomgate.gateway.policy.introspection;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * A node's introspection results (node service, kept across routes versions) and the HTTP client that asks the
 * IdP. Results are keyed by endpoint, client id and SHA-256 of the token: the cache never holds a token.
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

    public IntrospectionCache(int maxEntries) {
        this.maxEntries = maxEntries;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    HttpClient http() {
        return http;
    }

    static String key(IntrospectionSettings s, String token) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(s.endpoint().toString().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(s.clientId().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            return HexFormat.of().formatHex(sha.digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    Optional<IntrospectionResult> find(String key) {
        Cached c = entries.get(key);
        if (c == null || c.expiresAtNanos() - System.nanoTime() <= 0) {
            misses.increment();
            return Optional.empty();
        }
        hits.increment();
        return Optional.of(c.result());
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
