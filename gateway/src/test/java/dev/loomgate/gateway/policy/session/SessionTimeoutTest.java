package dev.loomgate.gateway.policy.session;

import static dev.loomgate.gateway.policy.session.SessionProxyTest.enc;
import static dev.loomgate.gateway.policy.session.SessionProxyTest.keys;
import static dev.loomgate.gateway.policy.session.SessionTestKit.echoed;
import static dev.loomgate.gateway.policy.session.SessionTestKit.get;
import static dev.loomgate.gateway.policy.session.SessionTestKit.idOf;
import static dev.loomgate.gateway.policy.session.SessionTestKit.setCookie;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.loomgate.gateway.redis.RedisSessionStore;
import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Idle, absolute and rolling timeouts, renewal with its grace, and explicit rotation, with short durations. */
class SessionTimeoutTest {
    private static final String ROUTES = """
            upstreams:
              - name: backend
                endpoints: [ %s ]
            routes:
              - id: rotating
                match: { path-prefix: /rotate }
                upstream: backend
                session:
                  keys: %s
                  action: rotate
                  forward-attributes: { a0: X-Attr-a0 }
              - id: app
                match: { path-prefix: / }
                upstream: backend
                session:
                  keys: %s
                  idle-timeout: %s
                  rolling-timeout: %s
                  absolute-timeout: %s
                  renewal-grace: %s
                  upstream-control: true
                  forward-attributes: { a0: X-Attr-a0 }
            """;

    @TempDir
    Path dir;

    private interface Body {
        void run(TestGateway node, RedisTestServers.Server redis) throws Exception;
    }

    private void withNode(String idle, String rolling, String absolute, String grace, Body body) throws Exception {
        try (RedisTestServers servers = RedisTestServers.create();
             TestUpstream upstream = TestUpstream.start("u").behave(SessionTestKit.sessionDriver("u"))) {
            RedisTestServers.Server redis = servers.startServer();
            String k = keys(dir, "k1");
            String routes = ROUTES.formatted(upstream.address(), k, k, idle, rolling, absolute, grace);
            try (TestGateway node = TestGateway.start(routes, c -> c.toBuilder()
                    .redis(RedisSettings.standalone("127.0.0.1", redis.port())).build())) {
                body.run(node, redis);
            }
        }
    }

    private static boolean exists(RedisTestServers.Server redis, String cookie) {
        try {
            return RedisTestServers.command(redis.port(), "EXISTS", RedisSessionStore.key(idOf(cookie))).equals(List.of("1"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void idleTimeoutEndsASessionNobodyUsesAndActivityKeepsItAlive() throws Exception {
        withNode("1s", "1h", "1h", "10s", (node, redis) -> {
            String cookie = setCookie(get(node, "/x?set=" + enc("a0=v"), Optional.empty())).orElseThrow();
            for (int i = 0; i < 6; i++) { // 6 x 300 ms: longer than the idle timeout, but never idle that long
                Thread.sleep(300); // pacing, not waiting for a condition
                HttpResponse<String> r = get(node, "/x", Optional.of(cookie));
                assertEquals("v", echoed(r).get("x-attr-a0"), "request " + i + " keeps the session alive");
            }
            long idleFrom = System.nanoTime();
            Await.until("the idle session to expire in Redis", Duration.ofSeconds(10), () -> !exists(redis, cookie));
            long idleMs = (System.nanoTime() - idleFrom) / 1_000_000;
            HttpResponse<String> after = get(node, "/x", Optional.of(cookie));
            assertFalse(echoed(after).containsKey("x-attr-a0"), after.body());
            assertNotEquals(idOf(cookie), idOf(setCookie(after).orElseThrow()), "a new session");
            System.out.println("idle-timeout 1s: the session expired " + idleMs + " ms after the last request");
        });
    }

    @Test
    void absoluteTimeoutEndsEvenABusySession() throws Exception {
        withNode("1h", "2s", "2s", "10s", (node, redis) -> {
            long start = System.nanoTime();
            String cookie = setCookie(get(node, "/x?set=" + enc("a0=v"), Optional.empty())).orElseThrow();
            long endedAfter = -1;
            for (int i = 0; i < 80 && endedAfter < 0; i++) { // bounded: 80 x 100 ms
                Thread.sleep(100); // pacing
                HttpResponse<String> r = get(node, "/x", Optional.of(cookie));
                cookie = setCookie(r).orElse(cookie); // follow renewals
                if (!"v".equals(echoed(r).get("x-attr-a0"))) {
                    endedAfter = (System.nanoTime() - start) / 1_000_000;
                }
            }
            System.out.println("absolute-timeout 2s: a session used every 100 ms ended after " + endedAfter + " ms");
            assertTrue(endedAfter >= 2000, "not before the absolute timeout: " + endedAfter);
            assertTrue(endedAfter < 8000, "ended: " + endedAfter);
        });
    }

    @Test
    void rollingTimeoutRenewsTheIdKeepsTheDataAndTheOldIdDiesAfterItsGrace() throws Exception {
        withNode("1h", "2s", "1h", "3s", (node, redis) -> {
            String first = setCookie(get(node, "/x?set=" + enc("a0=kept"), Optional.empty())).orElseThrow();
            String renewed = null;
            for (int i = 0; i < 60 && renewed == null; i++) { // bounded: 60 x 100 ms
                Thread.sleep(100); // pacing
                HttpResponse<String> r = get(node, "/x", Optional.of(first));
                assertEquals("kept", echoed(r).get("x-attr-a0"));
                renewed = setCookie(r).orElse(null);
            }
            assertTrue(renewed != null, "renewed after half the rolling timeout");
            assertNotEquals(idOf(first), idOf(renewed));
            assertEquals("kept", echoed(get(node, "/x", Optional.of(renewed))).get("x-attr-a0"));
            String old = first;
            Await.until("the old id to stop working after its grace", Duration.ofSeconds(10), () -> !exists(redis, old));
            HttpResponse<String> late = get(node, "/x", Optional.of(first));
            assertFalse(echoed(late).containsKey("x-attr-a0"), "old id refused: " + late.body());
            assertTrue(node.admin("/metrics").body().contains("loomgate_session_rotated_total{reason=\"renewal\"} 1"));

            // an id nobody renews dies with its rolling timeout even though idle and absolute are an hour
            String unused = renewed;
            Await.until("the unrenewed id to expire", Duration.ofSeconds(10), () -> !exists(redis, unused));
            assertFalse(echoed(get(node, "/x", Optional.of(renewed))).containsKey("x-attr-a0"));
        });
    }

    @Test
    void explicitRotationGivesANewIdAndTheOldOneIsInvalidAtOnce() throws Exception {
        withNode("1h", "1h", "1h", "10s", (node, redis) -> {
            String before = setCookie(get(node, "/x?set=" + enc("a0=kept"), Optional.empty())).orElseThrow();
            HttpResponse<String> rotated = get(node, "/x?rotate=1", Optional.of(before));
            String after = setCookie(rotated).orElseThrow(() -> new AssertionError("a new cookie"));
            assertNotEquals(idOf(before), idOf(after));
            assertFalse(exists(redis, before), "old id gone at once");
            assertEquals("kept", echoed(get(node, "/x", Optional.of(after))).get("x-attr-a0"));
            assertFalse(echoed(get(node, "/x", Optional.of(before))).containsKey("x-attr-a0"));

            // the route action: every request of /rotate rotates
            HttpResponse<String> viaRoute = get(node, "/rotate/now", Optional.of(after));
            String third = setCookie(viaRoute).orElseThrow();
            assertEquals("kept", echoed(viaRoute).get("x-attr-a0"));
            assertNotEquals(idOf(after), idOf(third));
            assertFalse(exists(redis, after));
            assertTrue(node.admin("/metrics").body().contains("loomgate_session_rotated_total{reason=\"explicit\"} 2"));
        });
    }
}
