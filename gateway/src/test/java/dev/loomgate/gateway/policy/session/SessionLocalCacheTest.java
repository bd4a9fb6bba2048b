package dev.loomgate.gateway.policy.session;

import static dev.loomgate.gateway.policy.session.SessionProxyTest.enc;
import static dev.loomgate.gateway.policy.session.SessionTestKit.echoed;
import static dev.loomgate.gateway.policy.session.SessionTestKit.get;
import static dev.loomgate.gateway.policy.session.SessionTestKit.setCookie;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code local-cache}: a node serves a session it read lately from its copy; other nodes' writes show up within it. */
class SessionLocalCacheTest {
    @TempDir
    Path dir;

    @Test
    void aFreshCopySkipsRedisAndAnotherNodesWriteShowsUpWithinTheBound() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create();
             TestUpstream upstream = TestUpstream.start("u").behave(SessionTestKit.sessionDriver("u"))) {
            RedisTestServers.Server redis = servers.startServer();
            String routes = """
                    upstreams:
                      - name: backend
                        endpoints: [ %s ]
                    routes:
                      - id: app
                        upstream: backend
                        session:
                          keys: %s
                          local-cache: 2s
                          upstream-control: true
                          forward-attributes: { a0: X-Attr-a0 }
                    """.formatted(upstream.address(), SessionProxyTest.keys(dir, "k1"));
            RedisSettings settings = RedisSettings.standalone("127.0.0.1", redis.port());
            try (TestGateway a = TestGateway.start(routes, c -> c.toBuilder().redis(settings).build());
                 TestGateway b = TestGateway.start(routes, c -> c.toBuilder().redis(settings).build())) {
                String cookie = setCookie(get(a, "/x?set=" + enc("a0=one"), Optional.empty())).orElseThrow();
                assertEquals("one", echoed(get(a, "/x", Optional.of(cookie))).get("x-attr-a0"));
                long before = evalshaCalls(redis);
                int served = 0;
                long start = System.nanoTime();
                while (System.nanoTime() - start < Duration.ofMillis(1000).toNanos() && served < 20) {
                    assertEquals("one", echoed(get(a, "/x", Optional.of(cookie))).get("x-attr-a0"));
                    served++;
                }
                long calls = evalshaCalls(redis) - before;
                System.out.println("local-cache 2s: " + served + " requests within 1 s, " + calls + " Redis scripts");
                assertTrue(calls <= 1, "served from the node's copy: " + calls + " scripts for " + served);

                assertEquals(200, get(b, "/x?set=" + enc("a0=two"), Optional.of(cookie)).statusCode());
                long written = System.nanoTime();
                Await.until("node A sees node B's write once its copy is older than local-cache",
                        Duration.ofSeconds(10), () -> {
                            try {
                                return "two".equals(echoed(get(a, "/x", Optional.of(cookie))).get("x-attr-a0"));
                            } catch (Exception e) {
                                return false;
                            }
                        });
                long lagMs = (System.nanoTime() - written) / 1_000_000;
                System.out.println("local-cache 2s: another node's write visible after " + lagMs + " ms");
                assertTrue(lagMs <= 5_000, "within the bound (plus a slow request on a busy box): " + lagMs);
            }
        }
    }

    private static long evalshaCalls(RedisTestServers.Server redis) {
        for (String line : RedisTestServers.info(redis.port(), "commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_evalsha:")) {
                return Long.parseLong(line.replaceAll(".*calls=(\\d+).*", "$1"));
            }
        }
        return 0;
    }
}
