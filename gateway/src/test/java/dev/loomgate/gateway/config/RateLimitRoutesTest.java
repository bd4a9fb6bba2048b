package dev.loomgate.gateway.config;

import dev.loomgate.gateway.yaml.ConfigException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

import dev.loomgate.gateway.ratelimit.Bandwidth;
import dev.loomgate.gateway.ratelimit.FailureMode;
import dev.loomgate.gateway.ratelimit.KeySource;
import dev.loomgate.gateway.ratelimit.RateLimitPolicy;
import dev.loomgate.gateway.redis.RedisAddress;
import dev.loomgate.gateway.redis.RedisTopology;
import dev.loomgate.gateway.route.Route;

/** Route {@code rate-limit}, the file's {@code default-rate-limit}, and the node's {@code redis}/{@code cluster}. */
class RateLimitRoutesTest {
    private static final String UPSTREAMS = """
            upstreams:
              - name: demo
                endpoints: [127.0.0.1:9001]
            """;

    /** Each route's rate limit, by route id; empty: none. */
    private static Map<String, Optional<RateLimitPolicy>> parse(String yaml) throws ConfigException {
        Map<String, Optional<RateLimitPolicy>> byId = new java.util.LinkedHashMap<>();
        RoutesDocument doc = RoutesParser.parse(UPSTREAMS + yaml, "routes.yaml");
        for (Route r : doc.routes()) {
            byId.put(r.id(), doc.pipeline(r.id()).config("rate-limit", RateLimitPolicy.class));
        }
        return byId;
    }

    private static ConfigException error(String yaml) {
        return assertThrows(ConfigException.class, () -> RoutesParser.parse(UPSTREAMS + yaml, "routes.yaml"));
    }

    @Test
    void routePolicyWithSeveralBandwidths() throws ConfigException {
        Optional<RateLimitPolicy> r = parse("""
                routes:
                  - id: api v1
                    upstream: demo
                    rate-limit:
                      key: header:X-Api-Key
                      limits:
                        - { limit: 10, per: 1s, burst: 20 }
                        - { limit: 1000, per: 1h }
                      on-redis-failure: fail-closed
                """).get("api v1");
        RateLimitPolicy p = r.orElseThrow();
        assertEquals("api_v1", p.id(), "route id made safe for Redis key names");
        assertEquals(new KeySource.Header("X-Api-Key"), p.key());
        assertEquals(List.of(new Bandwidth(10, Duration.ofSeconds(1), 20), new Bandwidth(1000, Duration.ofHours(1), 1000)),
                p.bandwidths());
        assertEquals(FailureMode.FAIL_CLOSED, p.onRedisFailure());
    }

    @Test
    void defaultAppliesUnlessOwnPolicyOrOff() throws ConfigException {
        Map<String, Optional<RateLimitPolicy>> routes = parse("""
                default-rate-limit:
                  key: client-ip
                  trusted-hops: 1
                  limit: 50
                  per: 1s
                routes:
                  - id: inherits
                    upstream: demo
                    match: { path-prefix: /a }
                  - id: own
                    upstream: demo
                    match: { path-prefix: /b }
                    rate-limit: { key: route, limit: 5, per: 1m }
                  - id: opted-out
                    upstream: demo
                    match: { path-prefix: /c }
                    rate-limit: off
                """);
        RateLimitPolicy inherited = routes.get("inherits").orElseThrow();
        assertEquals("default", inherited.id());
        assertEquals(new KeySource.ClientIp(1), inherited.key());
        assertEquals(new Bandwidth(50, Duration.ofSeconds(1), 50), inherited.bandwidths().getFirst());
        assertEquals("own", routes.get("own").orElseThrow().id());
        assertEquals(new KeySource.Route(), routes.get("own").orElseThrow().key());
        assertEquals(Optional.empty(), routes.get("opted-out"));
    }

    @Test
    void noPolicyMeansUnlimited() throws ConfigException {
        assertEquals(Optional.empty(), parse("""
                routes:
                  - { id: plain, upstream: demo }
                """).get("plain"));
    }

    @Test
    void negativeRateNamesFieldAndLine() {
        ConfigException e = error("""
                routes:
                  - id: r
                    upstream: demo
                    rate-limit:
                      key: route
                      limits:
                        - { limit: 10, per: 1s }
                        - { limit: -5, per: 1m }
                """);
        assertEquals("routes[0].rate-limit.limits[1].limit", e.field());
        assertEquals(OptionalInt.of(11), e.line(), e.getMessage());
        assertTrue(e.reason().contains("must be > 0, got -5"), e.reason());
        assertTrue(e.getMessage().startsWith("routes.yaml:11: routes[0].rate-limit.limits[1].limit: "), e.getMessage());
    }

    @Test
    void unknownKeyTypeNamesFieldAndLine() {
        ConfigException e = error("""
                routes:
                  - id: r
                    upstream: demo
                    rate-limit:
                      limit: 10
                      per: 1s
                      key: query:page
                """);
        assertEquals("routes[0].rate-limit.key", e.field());
        assertEquals(OptionalInt.of(10), e.line());
        assertTrue(e.reason().contains("unknown key type 'query'"), e.reason());
    }

    @Test
    void otherPolicyErrors() {
        ConfigException typo = error("""
                routes:
                  - id: r
                    upstream: demo
                    rate-limit: { key: route, limit: 1, per: 1s, brust: 3 }
                """);
        assertEquals("routes[0].rate-limit.brust", typo.field());
        assertEquals(OptionalInt.of(7), typo.line());

        ConfigException on = error("""
                routes:
                  - { id: r, upstream: demo, rate-limit: on }
                """);
        assertEquals("routes[0].rate-limit", on.field());
        assertTrue(on.reason().contains("'off'"), on.reason());

        ConfigException missingKey = error("""
                routes:
                  - id: r
                    upstream: demo
                    rate-limit:
                      limit: 1
                      per: 0s
                """);
        assertEquals("routes[0].rate-limit.key", missingKey.field());
        assertEquals(OptionalInt.of(8), missingKey.line(), "the rate-limit mapping's line when the key is absent");

        ConfigException badDefault = error("""
                default-rate-limit: { key: header, limit: 1, per: 1s }
                routes: []
                """);
        assertEquals("default-rate-limit.key", badDefault.field());
        assertTrue(badDefault.reason().contains("needs a name"), badDefault.reason());
    }

    @Test
    void nodeConfigRedisAndCluster() throws ConfigException {
        NodeConfig c = NodeConfigParser.parse("""
                redis:
                  sentinel:
                    master-name: loomgate
                    addresses: ["10.0.0.1:26379", "10.0.0.2:26379"]
                  password: secret
                  read-timeout: 20ms
                cluster:
                  expected-nodes: 3
                rate-limiter:
                  latency-budget: 20ms
                  failure-threshold: 3
                """, "gateway.yaml");
        assertEquals(Duration.ofMillis(20), c.rateLimiter().latencyBudget());
        assertEquals(3, c.rateLimiter().failureThreshold());
        assertEquals(Duration.ofMillis(200), c.rateLimiter().probeInterval());
        var redis = c.redis().orElseThrow();
        assertEquals(new RedisTopology.Sentinel("loomgate",
                List.of(new RedisAddress("10.0.0.1", 26379), new RedisAddress("10.0.0.2", 26379))), redis.topology());
        assertEquals(Optional.of("secret"), redis.password());
        assertEquals(Duration.ofMillis(20), redis.readTimeout());
        assertEquals(3, c.cluster().expectedNodes());

        NodeConfig none = NodeConfigParser.parse("node: { id: n1 }", "gateway.yaml");
        assertEquals(Optional.empty(), none.redis());
        assertEquals(1, none.cluster().expectedNodes());
    }

    @Test
    void nodeConfigErrors() {
        ConfigException sentinel = assertThrows(ConfigException.class, () -> NodeConfigParser.parse("""
                node: { id: n1 }
                redis:
                  sentinel:
                    addresses: ["10.0.0.1:26379"]
                """, "gateway.yaml"));
        assertEquals("redis.sentinel.master-name", sentinel.field());
        assertEquals(OptionalInt.of(4), sentinel.line());

        ConfigException timeout = assertThrows(ConfigException.class, () -> NodeConfigParser.parse("""
                redis:
                  address: 127.0.0.1:6379
                  read-timeout: fast
                """, "gateway.yaml"));
        assertEquals("redis.read-timeout", timeout.field());
        assertEquals(OptionalInt.of(3), timeout.line());

        ConfigException nodes = assertThrows(ConfigException.class, () -> NodeConfigParser.parse("""
                cluster: { expected-nodes: 0 }
                """, "gateway.yaml"));
        assertEquals("cluster.expected-nodes", nodes.field());
    }
}
