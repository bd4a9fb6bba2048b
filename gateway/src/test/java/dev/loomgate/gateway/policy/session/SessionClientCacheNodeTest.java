package dev.loomgate.gateway.policy.session;

import static dev.loomgate.gateway.policy.session.SessionProxyTest.enc;
import static dev.loomgate.gateway.policy.session.SessionTestKit.echoed;
import static dev.loomgate.gateway.policy.session.SessionTestKit.get;
import static dev.loomgate.gateway.policy.session.SessionTestKit.setCookie;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;

/** Client-side session caching through two real nodes on one real Redis: a change on one is never stale on the other. */
class SessionClientCacheNodeTest {
    private static final int ROUNDS = 200;

    @TempDir
    Path dir;

    @Test
    void writesAndLogoutOnOneNodeAreSeenByTheOthersNextRequest() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create();
             TestUpstream upstream = TestUpstream.start("u").behave(SessionTestKit.sessionDriver("u"))) {
            RedisTestServers.Server redis = servers.startServer();
            String routes = SessionProxyTest.routes(upstream, SessionProxyTest.keys(dir, "k1"));
            try (TestGateway a = SessionProxyTest.node(routes, redis.port());
                 TestGateway b = SessionProxyTest.node(routes, redis.port())) {
                String cookie = setCookie(get(a, "/x?set=" + enc("a0=v0"), Optional.empty())).orElseThrow();
                get(b, "/x", Optional.of(cookie)); // b starts its tracking
                Await.until("b's cache armed", () -> metric(b, "loomgate_session_client_cache_armed") == 1);
                int stale = 0;
                for (int round = 1; round <= ROUNDS; round++) {
                    get(b, "/x", Optional.of(cookie));
                    get(b, "/x", Optional.of(cookie)); // served from b's copy
                    get(a, "/x?set=" + enc("a0=v" + round), Optional.of(cookie));
                    if (!("v" + round).equals(echoed(get(b, "/x", Optional.of(cookie))).get("x-attr-a0"))) {
                        stale++;
                    }
                }
                get(b, "/x", Optional.of(cookie));
                get(a, "/x?end=1", Optional.of(cookie));
                var afterLogout = get(b, "/x", Optional.of(cookie));
                long hits = metric(b, "loomgate_session_client_cache_total{event=\"hit\"}");
                System.out.printf("two nodes, %d writes on a read by b: stale %d, b's cache hits %d%n", ROUNDS, stale,
                        hits);
                assertEquals(0, stale, "b never served the value before a's write");
                assertEquals(null, echoed(afterLogout).get("x-attr-a0"), "logout on a seen by b");
                assertTrue(setCookie(afterLogout).isPresent(), "b starts a new session after the logout");
                assertTrue(hits >= ROUNDS, "b served requests from its cache: " + hits);
            }
        }
    }

    static long metric(TestGateway node, String name) {
        String body;
        try {
            body = node.admin("/metrics").body();
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError("metrics not readable", e);
        }
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(body);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
    }
}
