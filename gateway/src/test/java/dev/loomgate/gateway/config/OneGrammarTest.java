package dev.loomgate.gateway.config;

import dev.loomgate.gateway.yaml.ConfigException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.OptionalInt;

import dev.loomgate.gateway.ratelimit.Bandwidth;
import dev.loomgate.gateway.ratelimit.RateLimitPolicy;
import dev.loomgate.gateway.route.Route;

import org.junit.jupiter.api.Test;

/** Every parser reads durations and sizes with the one grammar, and every error says file:line: path: reason. */
class OneGrammarTest {

    @Test
    void nodeConfigBlocksShareTheGrammar() throws ConfigException {
        NodeConfig c = NodeConfigParser.parse("""
                upstream: { idle-timeout: 1_500ms, connect-timeout: 2S }
                limits: { max-header-size: 8KiB, max-body-size: 1 MiB, max-config-size: 2MB }
                redis: { address: "127.0.0.1:6379", read-timeout: 20ms, pool-wait: 1s }
                consul: { addresses: ["127.0.0.1:8500"], watch-wait: 2m, deregister-after: 90s }
                """, "gateway.yaml");
        assertEquals(Duration.ofMillis(1500), c.upstream().idleTimeout());
        assertEquals(Duration.ofSeconds(2), c.upstream().connectTimeout());
        assertEquals(8192, c.limits().maxHeaderSize());
        assertEquals(1L << 20, c.limits().maxBodySize());
        assertEquals(2L << 20, c.limits().maxConfigSize());
        assertEquals(Duration.ofMillis(20), c.redis().orElseThrow().readTimeout());
        assertEquals(Duration.ofMinutes(2), c.consul().orElseThrow().watchWait());
        assertEquals(Duration.ofSeconds(90), c.consul().orElseThrow().deregisterAfter());
    }

    @Test
    void errorsKeepFileLinePathReasonInEveryBlock() {
        nodeError("""
                node: { id: a }
                redis:
                  address: "127.0.0.1:6379"
                  read-timeout: soon
                """, "gateway.yaml:4: redis.read-timeout: expected a duration such as 250ms");
        nodeError("""
                consul:
                  addresses: ["127.0.0.1:8500"]
                  check-interval: 1d
                """, "gateway.yaml:3: consul.check-interval: expected a duration");
        nodeError("""
                front-door:
                  write-timeout: 5
                """, "gateway.yaml:2: front-door.write-timeout: expected a duration");
        nodeError("""
                rate-limiter:
                  probe-interval: -1s
                """, "gateway.yaml:2: rate-limiter.probe-interval: must not be negative");
        nodeError("""
                limits:
                  max-request-line: 4XB
                """, "gateway.yaml:2: limits.max-request-line: expected a size");
    }

    @Test
    void routesFilesShareTheGrammar() throws ConfigException {
        String upstreams = """
                upstreams:
                  - name: demo
                    endpoints: [127.0.0.1:9001]
                    timeouts: { connect: 500ms }
                """;
        RoutesDocument doc = RoutesParser.parse(upstreams + """
                routes:
                  - id: daily
                    upstream: demo
                    timeouts: { response: 1m, total: 90s }
                    retries: { max-buffered-body: 64KiB }
                    rate-limit: { key: route, limit: 1000, per: 1d }
                """, "routes.yaml");
        Route r = doc.routes().getFirst();
        assertEquals(new Bandwidth(1000, Duration.ofDays(1)),
                doc.pipeline("daily").config("rate-limit", RateLimitPolicy.class).orElseThrow().bandwidths().getFirst());
        assertEquals(Duration.ofMinutes(1), r.resilience().timeouts().response().orElseThrow());
        assertEquals(64 * 1024, r.resilience().retries().maxBufferedBody());

        ConfigException timeout = assertThrows(ConfigException.class, () -> RoutesParser.parse(upstreams + """
                routes:
                  - id: r
                    upstream: demo
                    timeouts: { response: 1d }
                """, "routes.yaml"));
        assertEquals("routes[0].timeouts.response", timeout.field());
        assertEquals(OptionalInt.of(8), timeout.line());
        assertTrue(timeout.reason().startsWith("expected a duration"), timeout.reason());

        ConfigException per = assertThrows(ConfigException.class, () -> RoutesParser.parse(upstreams + """
                routes:
                  - id: r
                    upstream: demo
                    rate-limit:
                      key: route
                      limit: 1
                      per: 1.5s
                """, "routes.yaml"));
        assertEquals("routes[0].rate-limit.per", per.field());
        assertEquals(OptionalInt.of(11), per.line());
        assertTrue(per.getMessage().startsWith("routes.yaml:11: routes[0].rate-limit.per: expected a duration"),
                per.getMessage());
    }

    private static void nodeError(String yaml, String messageStart) {
        ConfigException e = assertThrows(ConfigException.class, () -> NodeConfigParser.parse(yaml, "gateway.yaml"));
        assertTrue(e.getMessage().startsWith(messageStart), "expected '" + messageStart + "…' but was: " + e.getMessage());
    }
}
