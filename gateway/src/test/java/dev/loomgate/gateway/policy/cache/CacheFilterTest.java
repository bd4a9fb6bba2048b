package dev.loomgate.gateway.policy.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.testsupport.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One node with a real Redis L2 and a real upstream: the RFC 9111 rules as a client sees them. */
class CacheFilterTest {
    static final String ROUTES = """
            upstreams:
              - name: backend
                endpoints: [ %s ]
            routes:
              - id: api
                upstream: backend
                cache: { max-object-size: 64KiB, max-vary: 4 }
            """;

    private static RedisTestServers servers;
    private static CacheUpstream upstream;
    private static TestGateway node;

    @BeforeAll
    static void start() throws Exception {
        servers = RedisTestServers.create();
        RedisTestServers.Server redis = servers.startServer();
        upstream = new CacheUpstream();
        node = TestGateway.start(ROUTES.formatted(upstream.address()),
                c -> c.toBuilder().redis(RedisSettings.standalone("127.0.0.1", redis.port())).build());
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (servers != null) {
            servers.close();
        }
    }

    static HttpResponse<String> get(TestGateway n, String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(n.uri(path)).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return TestGateway.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String xCache(HttpResponse<?> r) {
        return r.headers().firstValue("X-Cache").orElse("none");
    }

    @Test
    void missThenHitWithAge() throws Exception {
        HttpResponse<String> first = get(node, "/a");
        assertEquals("MISS", xCache(first));
        assertEquals("/a v1", first.body());
        HttpResponse<String> second = get(node, "/a");
        assertEquals("HIT", xCache(second));
        assertEquals("/a v1", second.body());
        assertTrue(second.headers().firstValue("Age").isPresent());
        assertEquals(1, upstream.hits("/a"));
        HttpResponse<String> head = TestGateway.http().send(HttpRequest.newBuilder(node.uri("/a"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("HIT", xCache(head));
        assertEquals("5", head.headers().firstValue("Content-Length").orElse(""));
        assertEquals(1, upstream.hits("/a"));
        String metrics = node.admin("/metrics").body();
        assertTrue(metrics.contains("loomgate_cache_requests_total{route=\"api\",result=\"hit\"}"), metrics);
    }

    @Test
    void varyKeepsOneVariantPerHeaderValue() throws Exception {
        upstream.answer("/v", "Cache-Control: max-age=60", "Vary: Accept-Language");
        assertEquals("/v v1", get(node, "/v", "Accept-Language", "en").body());
        assertEquals("/v v2", get(node, "/v", "Accept-Language", "de").body());
        HttpResponse<String> en = get(node, "/v", "Accept-Language", "en");
        assertEquals("HIT", xCache(en));
        assertEquals("/v v1", en.body());
        assertEquals("/v v2", get(node, "/v", "Accept-Language", "de").body());
        assertEquals(2, upstream.hits("/v"));
    }

    @Test
    void tooManyVaryHeadersAreNotStored() throws Exception {
        upstream.answer("/manyvary", "Cache-Control: max-age=60", "Vary: a, b, c, d, e, f, g");
        get(node, "/manyvary");
        assertEquals("UNCACHEABLE", xCache(get(node, "/manyvary")));
        assertEquals(2, upstream.hits("/manyvary"));
    }

    @Test
    void conditionalRequestsGet304FromTheCache() throws Exception {
        upstream.answer("/e", "Cache-Control: max-age=60", "ETag: \"abc\"",
                "Last-Modified: Tue, 14 Nov 2023 22:13:20 GMT");
        get(node, "/e");
        HttpResponse<String> inm = get(node, "/e", "If-None-Match", "W/\"abc\"");
        assertEquals(304, inm.statusCode());
        assertEquals("\"abc\"", inm.headers().firstValue("ETag").orElse(""));
        assertEquals(200, get(node, "/e", "If-None-Match", "\"other\"").statusCode());
        assertEquals(304, get(node, "/e", "If-Modified-Since", "Wed, 15 Nov 2023 00:00:00 GMT").statusCode());
        assertEquals(200, get(node, "/e", "If-Modified-Since", "Mon, 13 Nov 2023 00:00:00 GMT").statusCode());
        assertEquals(1, upstream.hits("/e"));
        // a conditional first request still fills the cache: the upstream is asked unconditionally
        upstream.answer("/e2", "Cache-Control: max-age=60", "ETag: \"x\"");
        assertEquals(200, get(node, "/e2", "If-None-Match", "\"x\"").statusCode());
        assertEquals(304, get(node, "/e2", "If-None-Match", "\"x\"").statusCode());
        assertEquals(1, upstream.hits("/e2"));
    }

    @Test
    void whatMayNotBeStoredIsNot() throws Exception {
        upstream.answer("/nostore", "Cache-Control: no-store, max-age=60");
        upstream.answer("/private", "Cache-Control: private, max-age=60");
        upstream.answer("/cookie", "Cache-Control: max-age=60", "Set-Cookie: s=1");
        upstream.answer("/auth", "Cache-Control: max-age=60");
        for (String p : new String[]{"/nostore", "/private", "/cookie"}) {
            get(node, p);
            assertEquals("UNCACHEABLE", xCache(get(node, p)), p);
            assertEquals(2, upstream.hits(p), p);
        }
        get(node, "/auth", "Authorization", "Bearer a");
        get(node, "/auth", "Authorization", "Bearer a");
        assertEquals(2, upstream.hits("/auth"), "Authorization without public/s-maxage: not stored");
        upstream.answer("/authpub", "Cache-Control: public, max-age=60");
        get(node, "/authpub", "Authorization", "Bearer a");
        assertEquals("HIT", xCache(get(node, "/authpub", "Authorization", "Bearer a")));
        // a client's no-store bypasses; its no-cache refetches (and stores)
        assertEquals("BYPASS", xCache(get(node, "/authpub", "Cache-Control", "no-store")));
        assertEquals("MISS", xCache(get(node, "/authpub", "Cache-Control", "no-cache")));
        assertEquals(3, upstream.hits("/authpub"));
    }

    @Test
    void sMaxAgeExpiresAndAgeDecideFreshness() throws Exception {
        upstream.answer("/smax", "Cache-Control: max-age=0, s-maxage=60");
        get(node, "/smax");
        assertEquals("HIT", xCache(get(node, "/smax")));
        upstream.answer("/expires", "Date: Tue, 14 Nov 2023 22:13:20 GMT", "Expires: Tue, 14 Nov 2023 22:14:20 GMT");
        get(node, "/expires");
        assertEquals("HIT", xCache(get(node, "/expires")));
        // Age 59 of 60: one second of freshness left, then a miss
        upstream.answer("/aged", "Cache-Control: max-age=60", "Age: 59");
        get(node, "/aged");
        HttpResponse<String> hit = get(node, "/aged");
        assertEquals("HIT", xCache(hit));
        assertTrue(Long.parseLong(hit.headers().firstValue("Age").orElseThrow()) >= 59);
        Await.until("the aged entry to expire", Duration.ofSeconds(10), () -> {
            get(node, "/aged");
            return upstream.hits("/aged") >= 2;
        });
    }

    @Test
    void staleWhileRevalidateServesStaleAndRefreshes() throws Exception {
        upstream.answer("/swr", "Cache-Control: max-age=1, stale-while-revalidate=60");
        assertEquals("/swr v1", get(node, "/swr").body());
        Await.until("a stale answer", Duration.ofSeconds(10), () -> {
            HttpResponse<String> r = get(node, "/swr");
            return xCache(r).equals("STALE") && r.body().equals("/swr v1");
        });
        Await.until("the refreshed entry", Duration.ofSeconds(10), () -> {
            HttpResponse<String> r = get(node, "/swr");
            return xCache(r).equals("HIT") && !r.body().equals("/swr v1");
        });
    }

    @Test
    void staleIfErrorOnUpstream5xx() throws Exception {
        upstream.answer("/sie", "Cache-Control: max-age=1, stale-if-error=60");
        assertEquals("/sie v1", get(node, "/sie").body());
        upstream.answer("/sie", 503, 0, "Cache-Control: no-store");
        Await.until("the stale-if-error answer", Duration.ofSeconds(10), () -> {
            HttpResponse<String> r = get(node, "/sie");
            assertEquals(200, r.statusCode(), "never the upstream's 503 while a stale copy may be served");
            return xCache(r).equals("STALE-IF-ERROR") && r.body().equals("/sie v1");
        });
    }

    @Test
    void largeResponsesStreamThroughUncached() throws Exception {
        upstream.large("/big", 1 << 20, "Cache-Control: max-age=60");
        for (int i = 0; i < 2; i++) {
            HttpResponse<byte[]> r = TestGateway.http().send(HttpRequest.newBuilder(node.uri("/big")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode());
            assertEquals(1 << 20, r.body().length);
        }
        assertEquals(2, upstream.hits("/big"));
        assertTrue(node.admin("/metrics").body().contains("loomgate_cache_too_large_total"));
    }

    @Test
    void aSuccessfulUnsafeRequestInvalidatesItsUrl() throws Exception {
        get(node, "/unsafe");
        assertEquals("HIT", xCache(get(node, "/unsafe")));
        HttpResponse<String> post = TestGateway.http().send(HttpRequest.newBuilder(node.uri("/unsafe"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, post.statusCode());
        HttpResponse<String> after = get(node, "/unsafe");
        assertEquals("MISS", xCache(after));
        assertEquals("/unsafe v3", after.body(), "v1 cached, v2 the POST, v3 refetched");
        upstream.answer("/unsafe-failed", "Cache-Control: max-age=60");
        get(node, "/unsafe-failed");
        upstream.answer("/unsafe-failed", 500, 0, "Cache-Control: no-store");
        TestGateway.http().send(HttpRequest.newBuilder(node.uri("/unsafe-failed"))
                .method("DELETE", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("HIT", xCache(get(node, "/unsafe-failed")), "a failed unsafe request invalidates nothing");
    }

    @Test
    void hostileQueryStringsMakeFixedSizeKeys() throws Exception {
        String q = "?q=" + "x".repeat(6000);
        get(node, "/q" + q);
        assertEquals("HIT", xCache(get(node, "/q" + q)));
        assertEquals("MISS", xCache(get(node, "/q?q=other")));
    }
}
