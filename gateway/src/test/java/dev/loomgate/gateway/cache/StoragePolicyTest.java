package dev.loomgate.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

class StoragePolicyTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final CacheSettings DEFAULTS = CacheSettings.defaults();

    private static Function<String, List<String>> headers(String... nameValues) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            m.computeIfAbsent(nameValues[i].toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(nameValues[i + 1]);
        }
        return n -> m.getOrDefault(n.toLowerCase(Locale.ROOT), List.of());
    }

    private static Optional<StoragePolicy.Lifetimes> eval(CacheSettings s, Function<String, List<String>> req, int status,
                                                          Function<String, List<String>> res) {
        return StoragePolicy.evaluate(s, "GET", req, status, res, NOW).lifetimes();
    }

    @Test
    void freshnessFromSMaxAgeThenMaxAgeThenExpires() {
        assertEquals(30_000, eval(DEFAULTS, headers(), 200, headers("Cache-Control", "max-age=60, s-maxage=30"))
                .orElseThrow().freshMillis());
        assertEquals(60_000, eval(DEFAULTS, headers(), 200, headers("Cache-Control", "max-age=60")).orElseThrow()
                .freshMillis());
        assertEquals(120_000, eval(DEFAULTS, headers(), 200, headers("Date", "Tue, 14 Nov 2023 22:13:20 GMT",
                "Expires", "Tue, 14 Nov 2023 22:15:20 GMT")).orElseThrow().freshMillis());
        assertTrue(eval(DEFAULTS, headers(), 200, headers("Expires", "0")).isEmpty(), "invalid Expires: expired");
        assertTrue(eval(DEFAULTS, headers(), 200, headers()).isEmpty(), "no lifetime and no default-ttl");
        CacheSettings ttl = CacheSettings.fromMap(Map.of("default-ttl", "10s", "max-ttl", "20s"));
        assertEquals(10_000, eval(ttl, headers(), 200, headers()).orElseThrow().freshMillis());
        assertEquals(20_000, eval(ttl, headers(), 200, headers("Cache-Control", "max-age=3600")).orElseThrow()
                .freshMillis(), "capped by max-ttl");
    }

    @Test
    void ageCountsAgainstFreshness() {
        var l = eval(DEFAULTS, headers(), 200, headers("Cache-Control", "max-age=60", "Age", "50")).orElseThrow();
        assertEquals(50_000, l.initialAgeMillis());
        assertTrue(eval(DEFAULTS, headers(), 200, headers("Cache-Control", "max-age=60", "Age", "61")).isEmpty());
    }

    @Test
    void refusals() {
        assertTrue(eval(DEFAULTS, headers(), 200, headers("Cache-Control", "no-store, max-age=60")).isEmpty());
        assertTrue(eval(DEFAULTS, headers(), 200, headers("Cache-Control", "private, max-age=60")).isEmpty());
        assertTrue(eval(DEFAULTS, headers(), 200, headers("Cache-Control", "no-cache, max-age=60")).isEmpty());
        assertTrue(eval(DEFAULTS, headers("Cache-Control", "no-store"), 200, headers("Cache-Control", "max-age=60"))
                .isEmpty());
        assertTrue(eval(DEFAULTS, headers(), 500, headers("Cache-Control", "max-age=60")).isEmpty());
        assertTrue(eval(DEFAULTS, headers(), 206, headers("Cache-Control", "max-age=60")).isEmpty());
        assertTrue(eval(DEFAULTS, headers(), 200, headers("Cache-Control", "max-age=60", "Vary", "*")).isEmpty());
        assertTrue(eval(DEFAULTS, headers(), 200, headers("Cache-Control", "max-age=60",
                "Vary", "a,b,c,d,e,f,g,h,i")).isEmpty(), "more Vary names than max-vary");
        assertEquals(List.of("accept", "accept-encoding"), eval(DEFAULTS, headers(), 200,
                headers("Cache-Control", "max-age=60", "Vary", "Accept-Encoding, accept")).orElseThrow().varyNames());
        assertFalse(StoragePolicy.evaluate(DEFAULTS, "POST", headers(), 200, headers("Cache-Control", "max-age=60"),
                NOW).lifetimes().isPresent());
    }

    @Test
    void authorizationNeedsPublicOrSMaxAgeOrMustRevalidate() {
        var auth = headers("Authorization", "Bearer x");
        assertTrue(eval(DEFAULTS, auth, 200, headers("Cache-Control", "max-age=60")).isEmpty());
        assertTrue(eval(DEFAULTS, auth, 200, headers("Cache-Control", "public, max-age=60")).isPresent());
        assertTrue(eval(DEFAULTS, auth, 200, headers("Cache-Control", "s-maxage=60")).isPresent());
        assertTrue(eval(DEFAULTS, auth, 200, headers("Cache-Control", "must-revalidate, max-age=60")).isPresent());
    }

    @Test
    void setCookieOnlyWhenTheRouteAllows() {
        var res = headers("Cache-Control", "max-age=60", "Set-Cookie", "s=1");
        assertTrue(eval(DEFAULTS, headers(), 200, res).isEmpty());
        assertTrue(eval(CacheSettings.fromMap(Map.of("store-set-cookie", "true")), headers(), 200, res).isPresent());
    }

    @Test
    void staleWindowsAndWhatForbidsThem() {
        var l = eval(DEFAULTS, headers(), 200, headers("Cache-Control",
                "max-age=1, stale-while-revalidate=30, stale-if-error=60")).orElseThrow();
        assertEquals(30_000, l.swrMillis());
        assertEquals(60_000, l.sieMillis());
        var strict = eval(DEFAULTS, headers(), 200, headers("Cache-Control",
                "max-age=1, must-revalidate, stale-while-revalidate=30")).orElseThrow();
        assertEquals(0, strict.swrMillis());
        CacheSettings sie = CacheSettings.fromMap(Map.of("stale-if-error", "5m"));
        assertEquals(Duration.ofMinutes(5).toMillis(), eval(sie, headers(), 200, headers("Cache-Control", "max-age=1"))
                .orElseThrow().sieMillis());
    }

    @Test
    void settingsRejectUnknownKeysWithTheField() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> CacheSettings.fromMap(Map.of("ttl", "1s")));
        assertTrue(e.getMessage().startsWith("ttl: unknown key"), e.getMessage());
        var q = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> CacheSettings.fromMap(Map.of("query", "maybe")));
        assertTrue(q.getMessage().startsWith("query: "), q.getMessage());
    }

    @Test
    void storedResponsesRoundTripAndGarbageDecodesToNothing() {
        CachedResponse r = new CachedResponse("api", 200, List.of(new CachedResponse.Header("ETag", "\"1\"")),
                "body".getBytes(), NOW, 1000, 60_000, 0, 5000, List.of("t1"));
        CachedResponse back = CachedResponse.decode(r.encode()).orElseThrow();
        assertEquals("api", back.routeId());
        assertEquals("body", new String(back.body()));
        assertEquals(List.of("t1"), back.tags());
        assertTrue(CachedResponse.decode(new byte[]{1, 2, 3}).isEmpty());
        assertTrue(CachedResponse.decode("garbage".getBytes()).isEmpty());
        assertTrue(VarySpec.decode("x".getBytes()).isEmpty());
    }

    @Test
    void keysAreFixedSizeWhateverTheInput() {
        String longQuery = "q=" + "x".repeat(100_000);
        String k = CacheKeys.primary("api", 0, "GET", "h", "/p", longQuery, CacheSettings.QueryMode.INCLUDE);
        assertEquals(64, k.length());
        assertEquals(CacheKeys.primary("api", 0, "GET", "h", "/p", "a=1&b=2", CacheSettings.QueryMode.SORTED),
                CacheKeys.primary("api", 0, "GET", "h", "/p", "b=2&a=1", CacheSettings.QueryMode.SORTED));
        assertFalse(CacheKeys.primary("api", 0, "GET", "h", "/p", "a=1", CacheSettings.QueryMode.INCLUDE)
                .equals(CacheKeys.primary("api", 1, "GET", "h", "/p", "a=1", CacheSettings.QueryMode.INCLUDE)),
                "a new route generation is a new key");
    }
}
