package dev.loomgate.gateway.redis;

import static dev.loomgate.gateway.redis.SessionClientCacheTest.HOUR;
import static dev.loomgate.gateway.redis.SessionClientCacheTest.cart;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomgate.testsupport.OpensslCa;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client-side session cache against a real redis-server reached only over TLS (private CA, client certificate
 * required) as an ACL user with exactly the rights ansible's template gives the gateways: the cache arms, serves hits,
 * and never serves another store's write stale. The invalidation connection's fence then covers the TLS layer too
 * ({@link FencedSocket}).
 */
class SessionClientCacheTlsTest {
    @TempDir
    Path dir;

    @Test
    void armsOverTlsWithTheGatewayAclUserAndIsNeverStale() throws Exception {
        OpensslCa ca = OpensslCa.create(dir.resolve("ca"));
        OpensslCa.Leaf server = ca.issue("redis-ip", List.of("IP:127.0.0.1"));
        OpensslCa.Leaf client = ca.issue("gateway", List.of("DNS:gateway.test"));
        try (RedisTestServers servers = RedisTestServers.create()) {
            int tlsPort = RedisTestServers.freePort();
            List<String> args = new ArrayList<>(List.of("--tls-port", Integer.toString(tlsPort),
                    "--tls-cert-file", server.cert().toString(), "--tls-key-file", server.key().toString(),
                    "--tls-ca-cert-file", ca.caCert().toString(), "--tls-auth-clients", "yes"));
            // ansible/roles/redis/templates/redis.conf.j2's gateway user (standalone/Sentinel form)
            args.addAll(List.of("--user", "loomgate", "on", ">tls-test-gateway-password", "resetkeys", "~lg:*",
                    "resetchannels", "&lg:*", "&__redis__:invalidate", "-@all", "+@read", "+@write", "+@scripting",
                    "+@connection", "+@pubsub", "+time", "-@dangerous"));
            servers.startServer(args);
            RedisSettings settings = RedisSettings.builder(new RedisTopology.Standalone(
                            new RedisAddress("127.0.0.1", tlsPort)))
                    .tls(new RedisTls(true, Optional.of(ca.caCert()), Optional.empty(), Optional.of(client.cert()),
                            Optional.of(client.key())))
                    .user("loomgate").password("tls-test-gateway-password")
                    .connectTimeout(Duration.ofSeconds(2)).readTimeout(Duration.ofSeconds(2)).build();
            try (RedisSessionStore a = RedisSessionStore.open(settings);
                 RedisSessionStore b = RedisSessionStore.open(settings)) {
                SessionCache cache = SessionClientCacheTest.armedCache(b);
                assertEquals(Optional.of(new RedisAddress("127.0.0.1", tlsPort)), cache.armedMaster());
                int stale = 0;
                for (int n = 0; n < 10; n++) {
                    String id = "tls-" + n + "-" + System.nanoTime();
                    a.create(id, Map.of("cart", "0"), HOUR);
                    b.load(id, HOUR, true);
                    for (int round = 1; round <= 50; round++) {
                        cart(b, id);
                        cart(b, id);
                        assertEquals(RedisSessionStore.WriteResult.OK,
                                a.write(id, Map.of("cart", Integer.toString(round)), List.of(), 64, HOUR));
                        if (!Integer.toString(round).equals(cart(b, id))) {
                            stale++;
                        }
                    }
                    assertTrue(a.delete(id));
                    if (!(b.load(id, HOUR, true) instanceof RedisSessionStore.Loaded.Missing)) {
                        stale++;
                    }
                }
                long hits = cache.hits.sum();
                System.out.printf("client cache over TLS (mTLS, ACL user), 10 sessions x 50 writes by another store:"
                                + " stale %d, hits %d, misses %d, invalidations %d, flushes %d%n", stale, hits,
                        cache.misses.sum(), cache.invalidations.sum(), cache.flushes.sum());
                assertEquals(0, stale, "no load after another store's change returned the old copy");
                assertTrue(hits >= 500, "the cache served reads over TLS: " + hits);
                assertTrue(cache.invalidations.sum() >= 500, "invalidations arrived over TLS");
                assertEquals(0, cache.flushes.sum(), "tracking stayed up");
                assertFalse(cache.armedNodes().isEmpty());
            }
        }
    }
}
