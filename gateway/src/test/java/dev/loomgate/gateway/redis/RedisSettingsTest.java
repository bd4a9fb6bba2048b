package dev.loomgate.gateway.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RedisSettingsTest {

    @Test
    void parsesStandaloneWithDefaults() {
        RedisSettings s = RedisSettings.fromMap(Map.of("address", "127.0.0.1:6380"));
        assertEquals(new RedisTopology.Standalone(new RedisAddress("127.0.0.1", 6380)), s.topology());
        assertEquals(RedisSettings.DEFAULT_READ_TIMEOUT, s.readTimeout());
        assertEquals(RedisSettings.DEFAULT_CONNECT_TIMEOUT, s.connectTimeout());
        assertEquals(RedisSettings.DEFAULT_POOL_SIZE, s.poolSize());
        assertEquals(RedisSettings.standalone("127.0.0.1", 6380), s, "config and code build the same value");
    }

    @Test
    void parsesSentinelAndOptions() {
        RedisSettings s = RedisSettings.fromMap(Map.of(
                "sentinel", Map.of("master-name", "lg", "addresses", List.of("10.0.0.1:26379", "[::1]:26380")),
                "user", "gw", "password", "secret", "tls", true, "database", 2,
                "connect-timeout", "200ms", "read-timeout", "30ms", "pool-size", 16, "pool-wait", "5ms"));
        assertEquals(new RedisTopology.Sentinel("lg",
                List.of(new RedisAddress("10.0.0.1", 26379), new RedisAddress("::1", 26380))), s.topology());
        assertEquals(Optional.of("gw"), s.user());
        assertTrue(s.tls().enabled());
        assertTrue(s.sentinelTls(), "sentinels follow redis.tls by default");
        assertEquals(2, s.database());
        assertEquals(Duration.ofMillis(30), s.readTimeout());
        assertEquals(16, s.poolSize());
        assertFalse(s.toString().contains("secret"), "password never printed: " + s);
    }

    @Test
    void badConfigNamesFieldAndReason() {
        assertError("redis.sentinel.master-name: required", Map.of("sentinel",
                Map.of("addresses", List.of("127.0.0.1:26379"))));
        assertError("redis.sentinel.addresses: at least one", Map.of("sentinel",
                Map.of("master-name", "lg", "addresses", List.of())));
        assertError("redis.address: required: one of address (standalone), sentinel or cluster", Map.of());
        assertError("redis.address: give one of address (standalone), sentinel or cluster", Map.of("address", "h:1",
                "sentinel", Map.of("master-name", "lg", "addresses", List.of("h:2"))));
        assertError("redis.address: expected host:port", Map.of("address", "localhost"));
        assertError("redis.sentinel.addresses[1]: port 70000 is outside", Map.of("sentinel",
                Map.of("master-name", "lg", "addresses", List.of("h:1", "h:70000"))));
        assertError("redis.read-timeout: must be > 0", Map.of("address", "h:1", "read-timeout", "0ms"));
        assertError("redis.connect-timeout: expected a duration", Map.of("address", "h:1", "connect-timeout", "soon"));
        assertError("redis.pool-size: must be in 1..10000", Map.of("address", "h:1", "pool-size", 0));
        assertError("redis.read-timout: unknown key", Map.of("address", "h:1", "read-timout", "1s"));
        assertThrows(IllegalArgumentException.class, () -> RedisSettings.sentinel(" ", List.of()));
    }

    @Test
    void parsesClusterAndChecksMode() {
        RedisSettings s = RedisSettings.fromMap(Map.of("mode", "cluster",
                "cluster", Map.of("addresses", List.of("10.0.0.1:7000", "10.0.0.2:7000")), "password", "pw"));
        assertEquals(new RedisTopology.Cluster(List.of(new RedisAddress("10.0.0.1", 7000),
                new RedisAddress("10.0.0.2", 7000))), s.topology());
        assertEquals("cluster", s.topology().mode());
        assertEquals(RedisSettings.cluster(List.of(new RedisAddress("10.0.0.1", 7000))),
                RedisSettings.fromMap(Map.of("cluster", Map.of("addresses", List.of("10.0.0.1:7000")))),
                "mode is optional: the block says which");
        assertEquals("standalone", RedisSettings.fromMap(Map.of("mode", "standalone", "address", "h:1"))
                .topology().mode());
        assertEquals("sentinel", RedisSettings.fromMap(Map.of("mode", "sentinel",
                "sentinel", Map.of("master-name", "lg", "addresses", List.of("h:2")))).topology().mode());

        assertError("redis.mode: must be one of [standalone, sentinel, cluster], got 'sharded'",
                Map.of("mode", "sharded", "address", "h:1"));
        assertError("redis.mode: is 'cluster' but the block given is for standalone",
                Map.of("mode", "cluster", "address", "h:1"));
        assertError("redis.cluster: required: one of address", Map.of("mode", "cluster"));
        assertError("redis.sentinel: required: one of address", Map.of("mode", "sentinel"));
        assertError("redis.cluster.addresses: at least one cluster node address",
                Map.of("cluster", Map.of("addresses", List.of())));
        assertError("redis.cluster.addresses[0]: expected host:port",
                Map.of("cluster", Map.of("addresses", List.of(7000))));
        assertError("redis.cluster.seeds: unknown key", Map.of("cluster", Map.of("seeds", List.of("h:1"))));
        assertError("redis.database: Redis Cluster has only database 0",
                Map.of("cluster", Map.of("addresses", List.of("h:1")), "database", 3));
        assertError("redis.address: give one of", Map.of("address", "h:1",
                "cluster", Map.of("addresses", List.of("h:2"))));
    }

    private static void assertError(String expectedStart, Map<String, ?> config) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RedisSettings.fromMap(config));
        assertTrue(e.getMessage().startsWith(expectedStart), "expected '" + expectedStart + "…' but was: "
                + e.getMessage());
    }
}
