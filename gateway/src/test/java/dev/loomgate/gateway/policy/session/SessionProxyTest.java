package dev.loomgate.gateway.policy.session;

import static dev.loomgate.gateway.policy.session.SessionTestKit.echoed;
import static dev.loomgate.gateway.policy.session.SessionTestKit.get;
import static dev.loomgate.gateway.policy.session.SessionTestKit.idOf;
import static dev.loomgate.gateway.policy.session.SessionTestKit.setCookie;
import static dev.loomgate.gateway.policy.session.SessionTestKit.setCookieHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.loomgate.gateway.redis.RedisSessionStore;
import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions through real nodes on one real Redis: cookies, writes from several nodes, node loss, keys (bad input:
 * SessionBadCookieTest).
 */
class SessionProxyTest {
    static final int ATTRS = 30;
    static final String ROUTES = """
            upstreams:
              - name: backend
                endpoints: [ %s ]
            routes:
              - id: private
                match: { path-prefix: /private }
                upstream: backend
                session:
                  keys: %s
                  required: true
              - id: lazy
                match: { path-prefix: /lazy }
                upstream: backend
                session:
                  keys: %s
                  create: on-write
                  upstream-control: true
                  forward-attributes: { a0: X-Attr-a0 }
              - id: app
                match: { path-prefix: / }
                upstream: backend
                session:
                  keys: %s
                  upstream-control: true
                  forward-attributes: { %s }
            """;

    @TempDir
    Path dir;

    static String keys(Path dir, String... ids) throws java.io.IOException {
        List<String> out = new ArrayList<>();
        for (String id : ids) {
            Path p = SessionTestKit.secret(dir, "secret-" + id, "session-secret-" + id + "-0123456789abcdefghij");
            out.add("{ id: " + id + ", secret-file: " + p + " }");
        }
        return "[ " + String.join(", ", out) + " ]";
    }

    static String forward() {
        List<String> f = new ArrayList<>();
        for (int i = 0; i < ATTRS; i++) {
            f.add("a" + i + ": X-Attr-a" + i);
        }
        return String.join(", ", f);
    }

    static String routes(TestUpstream upstream, String keys) {
        return ROUTES.formatted(upstream.address(), keys, keys, keys, forward());
    }

    static TestGateway node(String routes, int redisPort) throws Exception {
        return TestGateway.start(routes, c -> c.toBuilder().redis(RedisSettings.standalone("127.0.0.1", redisPort)).build());
    }

    @Test
    void aCookieCarriesOnlyASignedIdAndAnyNodeServesTheSession() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create();
             TestUpstream upstream = TestUpstream.start("u").behave(SessionTestKit.sessionDriver("u"))) {
            RedisTestServers.Server redis = servers.startServer();
            String routes = routes(upstream, keys(dir, "k1"));
            try (TestGateway a = node(routes, redis.port()); TestGateway b = node(routes, redis.port())) {
                HttpResponse<String> first = get(a, "/x?set=" + enc("a0=hello world&a1=two"), Optional.empty());
                assertEquals(200, first.statusCode(), first.body());
                String header = setCookieHeader(first);
                assertTrue(header.contains("; Path=/") && header.contains("; HttpOnly")
                        && header.contains("; SameSite=Lax") && !header.contains("Secure"), header);
                assertEquals(Optional.of("no-store"), first.headers().firstValue("Cache-Control"));
                assertFalse(first.headers().firstValue("Loomgate-Session-Set").isPresent(), "control headers stripped");
                String cookie = setCookie(first).orElseThrow();
                assertTrue(cookie.startsWith("v1.k1."), cookie);
                assertEquals(List.of("1"), RedisTestServers.command(redis.port(), "EXISTS",
                        RedisSessionStore.key(idOf(cookie))), "one hash per session, under lg:session:{id}");

                HttpResponse<String> onB = get(b, "/y", Optional.of(cookie));
                assertEquals("hello world", echoed(onB).get("x-attr-a0"), onB.body());
                assertEquals("two", echoed(onB).get("x-attr-a1"));
                assertEquals(Optional.empty(), setCookie(onB), "same session: no new cookie");

                // a client's own copy of an attribute header never reaches the upstream
                HttpResponse<String> forged = SessionTestKit.HTTP.send(java.net.http.HttpRequest.newBuilder(b.uri("/z"))
                        .header("Cookie", "lg_session=" + cookie).header("X-Attr-a0", "forged")
                        .header("X-Attr-a5", "forged").build(), HttpResponse.BodyHandlers.ofString());
                assertEquals("hello world", echoed(forged).get("x-attr-a0"), forged.body());
                assertFalse(echoed(forged).containsKey("x-attr-a5"), forged.body());

                HttpResponse<String> removed = get(a, "/w?remove=a1", Optional.of(cookie));
                assertEquals(200, removed.statusCode());
                assertFalse(echoed(get(b, "/v", Optional.of(cookie))).containsKey("x-attr-a1"));
                assertEquals(1, a.node().sessions().createdCount() + b.node().sessions().createdCount());
            }
        }
    }

    @Test
    void createOnWriteMakesNoSessionForCookielessReads() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create();
             TestUpstream upstream = TestUpstream.start("u").behave(SessionTestKit.sessionDriver("u"))) {
            RedisTestServers.Server redis = servers.startServer();
            try (TestGateway a = node(routes(upstream, keys(dir, "k1")), redis.port())) {
                for (int i = 0; i < 5; i++) {
                    HttpResponse<String> read = get(a, "/lazy/page", Optional.empty());
                    assertEquals(200, read.statusCode());
                    assertEquals(Optional.empty(), setCookie(read), "no session for a cookieless read");
                }
                assertEquals(0, a.node().sessions().createdCount());
                assertEquals(List.of("0"), RedisTestServers.command(redis.port(), "DBSIZE"));
                HttpResponse<String> write = get(a, "/lazy/cart?set=" + enc("a0=first"), Optional.empty());
                String cookie = setCookie(write).orElseThrow(() -> new AssertionError("created by the write"));
                assertFalse(write.headers().firstValue("Loomgate-Session-Set").isPresent());
                assertEquals("first", echoed(get(a, "/lazy/cart", Optional.of(cookie))).get("x-attr-a0"));
                assertEquals(1, a.node().sessions().createdCount());
            }
        }
    }

    /** 3 nodes x 10 concurrent requests, each writing its own attribute of one session: all 30 are kept. */
    @Test
    void parallelWritesOfDifferentAttributesFromThreeNodesLoseNone() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create();
             TestUpstream upstream = TestUpstream.start("u").behave(SessionTestKit.sessionDriver("u"))) {
            RedisTestServers.Server redis = servers.startServer();
            String routes = routes(upstream, keys(dir, "k1"));
            List<TestGateway> nodes = List.of(node(routes, redis.port()), node(routes, redis.port()),
                    node(routes, redis.port()));
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int round = 0; round < 3; round++) {
                    String cookie = setCookie(get(nodes.getFirst(), "/start", Optional.empty())).orElseThrow();
                    CountDownLatch go = new CountDownLatch(1);
                    List<Future<Integer>> writes = new ArrayList<>();
                    for (int i = 0; i < ATTRS; i++) {
                        TestGateway node = nodes.get(i % 3);
                        String set = enc("a" + i + "=v" + i + "-r" + round);
                        writes.add(pool.submit(() -> {
                            go.await();
                            return get(node, "/w?set=" + set, Optional.of(cookie)).statusCode();
                        }));
                    }
                    go.countDown();
                    for (Future<Integer> w : writes) {
                        assertEquals(200, w.get());
                    }
                    Map<String, String> seen = echoed(get(nodes.get(1), "/read", Optional.of(cookie)));
                    Map<String, String> stored = hash(redis.port(), idOf(cookie));
                    List<String> lost = new ArrayList<>();
                    for (int i = 0; i < ATTRS; i++) {
                        if (!("v" + i + "-r" + round).equals(seen.get("x-attr-a" + i))
                                || !("v" + i + "-r" + round).equals(stored.get("a" + i))) {
                            lost.add("a" + i);
                        }
                    }
                    System.out.println("parallel session writes, round " + round + ": " + ATTRS
                            + " attributes from 3 nodes, lost " + lost);
                    assertEquals(List.of(), lost, "seen " + seen + ", stored " + stored);
                }
            } finally {
                nodes.forEach(TestGateway::close);
            }
        }
    }

    @Test
    void theSessionContinuesWhenItsFirstNodeStops() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create();
             TestUpstream upstream = TestUpstream.start("u").behave(SessionTestKit.sessionDriver("u"))) {
            RedisTestServers.Server redis = servers.startServer();
            String routes = routes(upstream, keys(dir, "k1"));
            TestGateway a = node(routes, redis.port());
            try (TestGateway b = node(routes, redis.port())) {
                String cookie;
                try {
                    HttpResponse<String> first = get(a, "/cart?set=" + enc("a3=basket-42"), Optional.empty());
                    cookie = setCookie(first).orElseThrow();
                } finally {
                    a.close(); // the "sticky" node is gone
                }
                HttpResponse<String> next = get(b, "/cart", Optional.of(cookie));
                assertEquals(200, next.statusCode());
                assertEquals("basket-42", echoed(next).get("x-attr-a3"), next.body());
                assertEquals(Optional.empty(), setCookie(next), "the same session, not a new one");
                assertEquals(0, b.node().sessions().createdCount());
            }
        }
    }

    @Test
    void aRotatedSigningKeyLogsNobodyOutAcrossNodesMidRollout() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create();
             TestUpstream upstream = TestUpstream.start("u").behave(SessionTestKit.sessionDriver("u"))) {
            RedisTestServers.Server redis = servers.startServer();
            try (TestGateway old = node(routes(upstream, keys(dir, "k1")), redis.port());
                 TestGateway step1 = node(routes(upstream, keys(dir, "k1", "k2")), redis.port());
                 TestGateway step2 = node(routes(upstream, keys(dir, "k2", "k1")), redis.port());
                 TestGateway done = node(routes(upstream, keys(dir, "k2")), redis.port())) {
                String k1Cookie = setCookie(get(old, "/x?set=" + enc("a0=kept"), Optional.empty())).orElseThrow();
                assertEquals("kept", echoed(get(step1, "/x", Optional.of(k1Cookie))).get("x-attr-a0"));
                HttpResponse<String> resigned = get(step2, "/x", Optional.of(k1Cookie));
                assertEquals("kept", echoed(resigned).get("x-attr-a0"));
                String k2Cookie = setCookie(resigned).orElseThrow(() -> new AssertionError("re-signed with k2"));
                assertTrue(k2Cookie.startsWith("v1.k2.") && idOf(k2Cookie).equals(idOf(k1Cookie)), k2Cookie);
                HttpResponse<String> back = get(step1, "/x", Optional.of(k2Cookie));
                assertEquals("kept", echoed(back).get("x-attr-a0"), "k2 as fallback accepts k2-signed cookies");
                assertEquals("kept", echoed(get(done, "/x", Optional.of(k2Cookie))).get("x-attr-a0"));
                assertFalse(echoed(get(done, "/x", Optional.of(k1Cookie))).containsKey("x-attr-a0"),
                        "after k1 is dropped its cookies are refused");
            }
        }
    }

    @Test
    void redisDownFailsClosedOrContinuesPerRoute() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create();
             TestUpstream upstream = TestUpstream.start("u").behave(SessionTestKit.sessionDriver("u"))) {
            RedisTestServers.Server redis = servers.startServer();
            String routes = routes(upstream, keys(dir, "k1"));
            try (TestGateway a = node(routes, redis.port())) {
                String cookie = setCookie(get(a, "/x", Optional.empty())).orElseThrow();
                servers.kill(redis);
                HttpResponse<String> closed = get(a, "/private/x", Optional.of(cookie));
                assertEquals(503, closed.statusCode(), closed.body());
                assertTrue(closed.body().contains("session-store-unavailable"), closed.body());
                HttpResponse<String> open = get(a, "/x", Optional.of(cookie));
                assertEquals(200, open.statusCode(), "on-redis-down continue (the default without required)");
                assertEquals(Optional.empty(), setCookie(open));
                assertTrue(a.node().sessions().redisErrorCount() >= 2);
                servers.restart(redis);
                dev.loomgate.testsupport.Await.until("sessions back once Redis is", () -> {
                    try {
                        return get(a, "/x", Optional.empty()).statusCode() == 200
                                && get(a, "/private/x", Optional.of(cookie)).statusCode() != 503;
                    } catch (Exception e) {
                        return false;
                    }
                });
            }
        }
    }

    @Test
    void consistentHashKeysOnTheSessionId() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create();
             TestUpstream u1 = TestUpstream.start("u1").behave(SessionTestKit.sessionDriver("u1"));
             TestUpstream u2 = TestUpstream.start("u2").behave(SessionTestKit.sessionDriver("u2"));
             TestUpstream u3 = TestUpstream.start("u3").behave(SessionTestKit.sessionDriver("u3"))) {
            RedisTestServers.Server redis = servers.startServer();
            String routes = """
                    upstreams:
                      - name: sticky
                        load-balancer: consistent-hash
                        hash-key: { session: true }
                        endpoints: [ %s, %s, %s ]
                    routes:
                      - id: app
                        upstream: sticky
                        session: { keys: %s }
                    """.formatted(u1.address(), u2.address(), u3.address(), keys(dir, "k1"));
            try (TestGateway a = node(routes, redis.port()); TestGateway b = node(routes, redis.port())) {
                Set<String> used = new HashSet<>();
                Map<String, String> owner = new HashMap<>();
                for (int s = 0; s < 12; s++) {
                    HttpResponse<String> first = get(a, "/x", Optional.empty());
                    String cookie = setCookie(first).orElseThrow();
                    owner.put(cookie, first.headers().firstValue("X-Served-By").orElseThrow());
                    for (int r = 0; r < 4; r++) {
                        HttpResponse<String> next = get(r % 2 == 0 ? a : b, "/x", Optional.of(cookie));
                        assertEquals(owner.get(cookie), next.headers().firstValue("X-Served-By").orElseThrow(),
                                "one session, one endpoint, from either node");
                    }
                    used.add(owner.get(cookie));
                }
                assertTrue(used.size() >= 2, "sessions spread over the endpoints: " + used);
            }
        }
    }

    static Map<String, String> hash(int port, String id) throws java.io.IOException {
        List<String> flat = RedisTestServers.command(port, "HGETALL", RedisSessionStore.key(id));
        Map<String, String> out = new ConcurrentHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            out.put(flat.get(i), flat.get(i + 1));
        }
        return out;
    }

    static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
