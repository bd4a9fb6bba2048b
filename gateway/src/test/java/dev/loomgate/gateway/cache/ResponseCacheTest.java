package dev.loomgate.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import dev.loomgate.gateway.observe.PrometheusText;
import org.junit.jupiter.api.Test;

/** L1 alone (no Redis): bounded by bytes, expiry by the entries' own lifetimes, purges. */
class ResponseCacheTest {
    private final AtomicLong clock = new AtomicLong(1_000_000);

    private CachedResponse response(String route, int size, List<String> tags) {
        return new CachedResponse(route, 200, List.of(), new byte[size], clock.get(), 0, 60_000, 0, 0, tags);
    }

    private static CacheKey key(String route, String path) {
        return CacheKey.of(route, 0, "GET", "h", "/" + path, "", CacheSettings.QueryMode.INCLUDE);
    }

    private void store(ResponseCache cache, String route, String path, CachedResponse r) {
        VarySpec spec = cache.newSpec(List.of(), r.lastUsableMillis());
        cache.store(key(route, path), spec, CacheKeys.variant(spec.nonce(), List.of(), List.of()), r);
    }

    private Optional<CachedResponse> find(ResponseCache cache, String route, String path) {
        CacheKey k = key(route, path);
        return cache.lookup(k, s -> CacheKeys.variant(s.nonce(), s.names(), List.of()));
    }

    @Test
    void l1StaysWithinItsByteBound() {
        ResponseCache cache = new ResponseCache(1 << 20, Optional.empty(), "n", clock::get);
        for (int i = 0; i < 200; i++) {
            store(cache, "r", "k" + i, response("r", 64 * 1024, List.of()));
        }
        PrometheusText p = new PrometheusText();
        cache.writeMetrics(p);
        String text = p.toString();
        long bytes = Long.parseLong(text.lines().filter(l -> l.startsWith("loomgate_cache_l1_bytes ")).findFirst()
                .orElseThrow().split(" ")[1].replace(".0", ""));
        assertTrue(bytes <= 1 << 20, "weighed bytes within the bound: " + bytes);
        assertTrue(text.contains("loomgate_cache_l1_evictions_total"), text);
        assertTrue(cache.l1Entries() < 200);
    }

    @Test
    void purgesByKeyRouteAndTagWithoutRedis() {
        ResponseCache cache = new ResponseCache(1 << 20, Optional.empty(), "n", clock::get);
        store(cache, "a", "k1", response("a", 10, List.of("t1")));
        store(cache, "a", "k2", response("a", 10, List.of()));
        store(cache, "b", "k3", response("b", 10, List.of("t1")));
        store(cache, "b", "k4", response("b", 10, List.of()));
        cache.purgeKey(key("a", "k2").primary());
        assertTrue(find(cache, "a", "k2").isEmpty());
        cache.purgeTag("t1");
        assertTrue(find(cache, "a", "k1").isEmpty());
        assertTrue(find(cache, "b", "k3").isEmpty());
        assertTrue(find(cache, "b", "k4").isPresent());
        assertEquals(new ResponseCache.Purge(true, 1), cache.purgeRoute("b"), "a new generation, counted locally");
        assertTrue(find(cache, "b", "k4").isEmpty());
    }

    @Test
    void freshnessFollowsTheClock() {
        ResponseCache cache = new ResponseCache(1 << 20, Optional.empty(), "n", clock::get);
        CachedResponse r = new CachedResponse("a", 200, List.of(), new byte[1], clock.get(), 0, 1_000, 2_000, 5_000,
                List.of());
        assertTrue(r.fresh(clock.get()));
        clock.addAndGet(1_500);
        assertTrue(!r.fresh(clock.get()) && r.usableWhileRevalidating(clock.get()) && r.usableOnError(clock.get()));
        clock.addAndGet(2_000);
        assertTrue(!r.usableWhileRevalidating(clock.get()) && r.usableOnError(clock.get()));
        clock.addAndGet(3_000);
        assertTrue(!r.usableOnError(clock.get()));
        store(cache, "a", "late", r);
        assertTrue(find(cache, "a", "late").isEmpty(), "an entry past every window is not stored");
    }
}
