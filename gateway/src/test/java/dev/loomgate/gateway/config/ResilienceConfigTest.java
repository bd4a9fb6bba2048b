package dev.loomgate.gateway.config;

import dev.loomgate.gateway.yaml.ConfigException;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import dev.loomgate.gateway.resilience.CircuitBreakerSettings;
import dev.loomgate.gateway.resilience.HealthCheckSettings;
import dev.loomgate.gateway.resilience.OutlierSettings;
import dev.loomgate.gateway.resilience.RetryPolicy;
import dev.loomgate.gateway.resilience.RouteResilience;
import dev.loomgate.gateway.resilience.UpstreamResilience;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResilienceConfigTest {
    private static final String FULL = """
            upstreams:
              - name: app
                endpoints: [ 127.0.0.1:9001, 127.0.0.1:9002 ]
                timeouts: { connect: 500ms, response: 10s }
                health-check:
                  path: /health
                  interval: 2s
                  timeout: 300ms
                  healthy-threshold: 1
                  unhealthy-threshold: 4
                  expected-statuses: [200, 204, 300-302]
                outlier-detection: { consecutive-failures: 7, base-ejection-time: 10s, max-ejection-time: 1m, max-ejection-percent: 30 }
                circuit-breaker: { window: 50, failure-ratio: 60, open-for: 20s, half-open-requests: 5 }
                max-in-flight: 200
                panic-mode: true
              - name: plain
                endpoints: [ 127.0.0.1:9003 ]
            routes:
              - id: api
                upstream: app
                timeouts: { connect: 1s, response: 5s, total: 12s }
                retries:
                  attempts: 3
                  on: [connect-failure, timeout, 503]
                  budget: { percent: 25, min-per-second: 5 }
                  max-buffered-body: 1MB
              - id: plain
                upstream: plain
                match: { path-prefix: /plain }
              - id: defaults
                upstream: plain
                match: { path-prefix: /d }
                retries: {}
            """;

    private static String at(String yaml, String old, String replacement) {
        assertTrue(yaml.contains(old), old);
        return yaml.replace(old, replacement);
    }

    private static ConfigException error(String yaml) {
        return assertThrows(ConfigException.class, () -> RoutesParser.parse(yaml, "routes.yaml"));
    }

    private static void assertError(String yaml, String field, int line, String reasonPart) {
        ConfigException e = error(yaml);
        assertEquals(field, e.field(), e.getMessage());
        assertEquals(line, e.line().orElse(-1), e.getMessage());
        assertTrue(e.reason().contains(reasonPart), e.getMessage());
    }

    @Test
    void parsesEveryKey() throws Exception {
        RoutesDocument doc = RoutesParser.parse(FULL, "routes.yaml");
        UpstreamResilience u = doc.upstreams().getFirst().resilience();
        assertEquals(Optional.of(Duration.ofMillis(500)), u.timeouts().connect());
        assertEquals(Optional.of(Duration.ofSeconds(10)), u.timeouts().response());
        HealthCheckSettings hc = u.healthCheck().orElseThrow();
        assertEquals("/health", hc.path());
        assertEquals(Duration.ofSeconds(2), hc.interval());
        assertEquals(Duration.ofMillis(300), hc.timeout());
        assertEquals(1, hc.healthyThreshold());
        assertEquals(4, hc.unhealthyThreshold());
        assertEquals(Set.of(200, 204, 300, 301, 302), hc.expectedStatuses());
        assertEquals(new OutlierSettings(7, Duration.ofSeconds(10), Duration.ofMinutes(1), 30), u.outlier().orElseThrow());
        assertEquals(new CircuitBreakerSettings(50, 60, Duration.ofSeconds(20), 5), u.circuitBreaker().orElseThrow());
        assertEquals(200, u.maxInFlight());
        assertTrue(u.panicMode());
        assertEquals(UpstreamResilience.DEFAULTS, doc.upstreams().get(1).resilience());

        RouteResilience r = doc.routes().getFirst().resilience();
        assertEquals(Optional.of(Duration.ofSeconds(12)), r.timeouts().total());
        RetryPolicy p = r.retries();
        assertEquals(3, p.attempts());
        assertEquals(Set.of(RetryPolicy.Condition.CONNECT_FAILURE, RetryPolicy.Condition.TIMEOUT), p.on());
        assertEquals(Set.of(503), p.statuses());
        assertEquals(25, p.budgetPercent());
        assertEquals(5, p.budgetMinPerSecond());
        assertEquals(1024 * 1024, p.maxBufferedBody());
        assertEquals(RouteResilience.DEFAULTS, doc.routes().get(1).resilience());
        RetryPolicy defaults = doc.routes().get(2).resilience().retries();
        assertEquals(2, defaults.attempts());
        assertEquals(RetryPolicy.DEFAULT_ON, defaults.on());
        assertEquals(Set.of(502, 503, 504), defaults.statuses());
    }

    @Test
    void errorsNameTheFieldAndLine() {
        assertError(at(FULL, "attempts: 3", "attempts: 0"), "routes[0].retries.attempts", 23, "1..10");
        assertError(at(FULL, "on: [connect-failure, timeout, 503]", "on: [connect-failure, 418]"),
                "routes[0].retries.on[1]", 24, "not a retry condition");
        assertError(at(FULL, "budget: { percent: 25", "budget: { percent: 250"), "routes[0].retries.budget.percent", 25, "0..100");
        assertError(at(FULL, "max-buffered-body: 1MB", "max-buffered-body: 1GB"), "routes[0].retries.max-buffered-body", 26,
                "between");
        assertError(at(FULL, "retries:\n      attempts", "retries:\n      tries: 2\n      attempts"), "routes[0].retries.tries", 23,
                "unknown key");
        assertError(at(FULL, "total: 12s", "total: 0s"), "routes[0].timeouts.total", 21, "longer than 0");
        assertError(at(FULL, "response: 10s", "response: soon"), "upstreams[0].timeouts.response", 4, "not a duration");
        assertError(at(FULL, "path: /health", "path: health"), "upstreams[0].health-check.path", 6, "starting with '/'");
        assertError(at(FULL, "300-302]", "302-300]"), "upstreams[0].health-check.expected-statuses[2]", 11, "100..599");
        assertError(at(FULL, "max-ejection-time: 1m", "max-ejection-time: 1s"),
                "upstreams[0].outlier-detection.max-ejection-time", 12, "must not be shorter");
        assertError(at(FULL, "failure-ratio: 60", "failure-ratio: 0"), "upstreams[0].circuit-breaker.failure-ratio", 13, "1..100");
        assertError(at(FULL, "max-in-flight: 200", "max-in-flight: -1"), "upstreams[0].max-in-flight", 14, "1..1000000");
        assertError(at(FULL, "panic-mode: true", "panic-mode: sometimes"), "upstreams[0].panic-mode", 15, "true or false");
        assertError(at(FULL, "healthy-threshold: 1\n", "healthy-threshold: 1\n      jitter: 1s\n"),
                "upstreams[0].health-check.jitter", 10, "unknown key");
    }

    @Test
    void nodeConfigDrainAndAdminToken() throws Exception {
        NodeConfig c = NodeConfigParser.parse("""
                drain-timeout: 30s
                drain-quiet-period: 3s
                node: { admin-host: 0.0.0.0, admin-token: abcdefghijklmnop1234 }
                """, "gateway.yaml");
        assertEquals(Duration.ofSeconds(3), c.operations().drainQuietPeriod());
        assertEquals(Optional.of("abcdefghijklmnop1234"), c.operations().adminToken());
        assertEquals(Duration.ofSeconds(5), NodeConfig.defaults().operations().drainQuietPeriod());
        ConfigException e = assertThrows(ConfigException.class,
                () -> NodeConfigParser.parse("node:\n  admin-token: short\n", "gateway.yaml"));
        assertEquals("node.admin-token", e.field());
        assertEquals(2, e.line().orElse(-1));
    }
}
