package dev.loomgate.gateway.ratelimit;

import dev.loomgate.gateway.testing.FixedRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RateLimitPolicyParserTest {

    @Test
    void parsesFullForm() {
        RateLimitPolicy p = RateLimitPolicyParser.parse("billing", Map.of(
                "key", "header:X-Api-Key",
                "limits", List.of(Map.of("limit", 10, "per", "1s", "burst", 20), Map.of("limit", 1000, "per", "1h")),
                "on-redis-failure", "fail-closed"));
        assertEquals("billing", p.id());
        assertEquals(new KeySource.Header("X-Api-Key"), p.key());
        assertEquals(List.of(new Bandwidth(10, Duration.ofSeconds(1), 20), new Bandwidth(1000, Duration.ofHours(1))),
                p.bandwidths());
        assertEquals(1000, p.bandwidths().get(1).burst(), "burst defaults to the limit");
        assertEquals(FailureMode.FAIL_CLOSED, p.onRedisFailure());
        assertEquals(Synchronization.RESERVING, p.synchronization(), "reserving is the default");
    }

    @Test
    void parsesShortFormAndKeyTypes() {
        RateLimitPolicy p = RateLimitPolicyParser.parse("r", Map.of("key", "client-ip", "trusted-hops", 1,
                "limit", 100, "per", "1s", "burst", 200));
        assertEquals(new KeySource.ClientIp(1), p.key());
        assertEquals(FailureMode.LOCAL, p.onRedisFailure(), "LOCAL is the default");
        assertEquals(new Bandwidth(100, Duration.ofSeconds(1), 200), p.bandwidths().getFirst());
        assertEquals(new KeySource.Cookie("sid"), parseKey("cookie:sid"));
        assertEquals(new KeySource.PathVariable("id"), parseKey("path:id"));
        assertEquals(new KeySource.Route(), parseKey("route"));
        assertEquals(new KeySource.ClientIp(0), parseKey("client-ip"));
        RateLimitPolicy delaying = RateLimitPolicyParser.parse("d", Map.of("key", "route", "limit", 5, "per", "1m",
                "sync", "delaying", "max-unsynchronized-tokens", 50));
        assertEquals(new Synchronization.Delaying(50, Duration.ofMillis(100)), delaying.synchronization());
    }

    @Test
    void badConfigNamesFieldAndReason() {
        assertError("limits[0].limit: must be > 0, got -5", Map.of("key", "route",
                "limits", List.of(Map.of("limit", -5, "per", "1s"))));
        assertError("limits[0].per: must be a positive duration", Map.of("key", "route",
                "limits", List.of(Map.of("limit", 5, "per", "0s"))));
        assertError("per: must be at most 366 days", Map.of("key", "route", "limit", 5, "per", "1000000d"));
        assertError("per: must not be negative", Map.of("key", "route", "limit", 5, "per", "-1s"));
        assertError("key: unknown key type 'query'", Map.of("key", "query:q", "limit", 5, "per", "1s"));
        assertError("key: 'header' needs a name", Map.of("key", "header:", "limit", 5, "per", "1s"));
        assertError("key: required", Map.of("limit", 5, "per", "1s"));
        assertError("limits: required", Map.of("key", "route"));
        assertError("on-redis-failure: expected local, fail-open or fail-closed", Map.of("key", "route",
                "limit", 5, "per", "1s", "on-redis-failure", "maybe"));
        assertError("limits[1].burst: must be > 0", Map.of("key", "route",
                "limits", List.of(Map.of("limit", 5, "per", "1s"), Map.of("limit", 5, "per", "1s", "burst", 0))));
        assertError("limits[0].rate: unknown key", Map.of("key", "route",
                "limits", List.of(Map.of("rate", 5, "per", "1s"))));
        assertError("trusted-hops: only applies to key client-ip", Map.of("key", "route", "trusted-hops", 1,
                "limit", 5, "per", "1s"));
        assertError("max-unsynchronized-tokens: required with sync: delaying", Map.of("key", "route",
                "limit", 5, "per", "1s", "sync", "delaying"));
        IllegalArgumentException prefixed = assertThrows(IllegalArgumentException.class,
                () -> RateLimitPolicyParser.parse("p", Map.of("key", "nope", "limit", 1, "per", "1s"),
                        "routes[3].rate-limit."));
        assertTrue(prefixed.getMessage().startsWith("routes[3].rate-limit.key: unknown key type"),
                prefixed.getMessage());
    }

    @Test
    void keySourcesResolve() {
        FixedRequest req = FixedRequest.fromIp("10.0.0.9")
                .header("X-Forwarded-For", "1.1.1.1, 2.2.2.2", "3.3.3.3")
                .header("X-Api-Key", "k1")
                .cookie("sid", "s1")
                .viaTrustedProxy();
        Map<String, String> vars = Map.of("id", "42");
        assertEquals(Optional.of("10.0.0.9"), new KeySource.ClientIp(0).resolve(req, vars), "no trusted hop: peer");
        assertEquals(Optional.of("3.3.3.3"), new KeySource.ClientIp(1).resolve(req, vars));
        assertEquals(Optional.of("2.2.2.2"), new KeySource.ClientIp(2).resolve(req, vars));
        assertEquals(Optional.of("1.1.1.1"), new KeySource.ClientIp(5).resolve(req, vars), "fewer hops: leftmost");
        assertEquals(Optional.of("10.0.0.9"), new KeySource.ClientIp(1).resolve(FixedRequest.fromIp("10.0.0.9"), vars),
                "no X-Forwarded-For: peer");
        FixedRequest direct = FixedRequest.fromIp("10.0.0.9").header("X-Forwarded-For", "1.1.1.1, 2.2.2.2");
        assertEquals(Optional.of("10.0.0.9"), new KeySource.ClientIp(1).resolve(direct, vars),
                "X-Forwarded-For from a peer that is not a trusted proxy: ignored, the peer names the bucket");
        assertEquals(Optional.of("k1"), new KeySource.Header("x-api-key").resolve(req, vars));
        assertEquals(Optional.empty(), new KeySource.Header("X-Other").resolve(req, vars));
        assertEquals(Optional.of("s1"), new KeySource.Cookie("sid").resolve(req, vars));
        assertEquals(Optional.of("42"), new KeySource.PathVariable("id").resolve(req, vars));
        assertEquals(Optional.empty(), new KeySource.PathVariable("other").resolve(req, vars));
        assertEquals(Optional.of(KeySource.Route.KEY), new KeySource.Route().resolve(req, vars));
    }

    @Test
    void consumerKeyUsesTheAuthenticatedConsumerOnly() {
        KeySource consumer = parseKey("consumer");
        assertEquals(new KeySource.Consumer(), consumer);
        FixedRequest req = FixedRequest.fromIp("10.0.0.9").header("X-Consumer-Id", "forged");
        assertEquals(Optional.of("consumer:billing"), consumer.resolve(req, Map.of(), "billing"));
        assertEquals(Optional.empty(), consumer.resolve(req, Map.of(), ""), "no authentication: anonymous bucket");
        assertEquals(Optional.empty(), consumer.resolve(req, Map.of()), "never read from the request");
        assertError("key: 'consumer' takes no name", Map.of("key", "consumer:x", "limit", 1, "per", "1s"));
    }

    @Test
    void decisionHeaders() {
        RateLimitDecision allowed = new RateLimitDecision(true, 20, 7, Duration.ofMillis(1300), Duration.ZERO, false);
        assertEquals(Map.of("RateLimit-Limit", "20", "RateLimit-Remaining", "7", "RateLimit-Reset", "2"),
                allowed.headers());
        RateLimitDecision denied = new RateLimitDecision(false, 20, 0, Duration.ofSeconds(2),
                Duration.ofMillis(100), false);
        assertEquals("1", denied.headers().get("Retry-After"), "rounded up, at least 1 s");
        assertEquals("0", denied.headers().get("RateLimit-Remaining"));
    }

    private static KeySource parseKey(String key) {
        return RateLimitPolicyParser.parse("k", Map.of("key", key, "limit", 1, "per", "1s")).key();
    }

    private static void assertError(String expectedStart, Map<String, ?> config) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RateLimitPolicyParser.parse("p", config));
        assertTrue(e.getMessage().startsWith(expectedStart), "expected '" + expectedStart + "…' but was: "
                + e.getMessage());
        assertInstanceOf(IllegalArgumentException.class, e);
    }
}
