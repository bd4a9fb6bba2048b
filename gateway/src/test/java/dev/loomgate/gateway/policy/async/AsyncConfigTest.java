package dev.loomgate.gateway.policy.async;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Set;

import dev.loomgate.gateway.config.RoutesDocument;
import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.testing.RoutesFiles;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.yaml.ConfigException;
import org.junit.jupiter.api.Test;

/** {@code async:} as the routes file gives it: defaults, every key, errors with file:line, and the Redis need. */
class AsyncConfigTest {
    private static final String UP = RoutesFiles.ONE_ROUTE; // the route's next key is on line 7

    private static AsyncSettings settings(String yaml) throws ConfigException {
        RoutesDocument doc = RoutesParser.parse(yaml, "routes.yaml");
        return (AsyncSettings) doc.pipeline("a").terminal().orElseThrow().config();
    }

    @Test
    void emptyBlockMeansTheDefaults() throws ConfigException {
        assertEquals(AsyncSettings.defaults(), settings(UP + "    async: {}\n"));
    }

    @Test
    void everyKeyIsRead() throws ConfigException {
        AsyncSettings s = settings(UP + """
                    async:
                      max-body: 2KiB
                      max-queue: 7
                      workers: 3
                      max-attempts: 9
                      initial-backoff: 50ms
                      max-backoff: 2s
                      reclaim-after: 5s
                      drain-rate: 40
                      result-ttl: 10m
                      result: redirect
                      retry-after: 3s
                      replicas: 1
                      replica-timeout: 200ms
                      max-result-body: 4KiB
                      drop-headers: [Authorization, X-Secret]
                      webhook: { url: "https://hooks.example.com/x", secret-env: HOOK_SECRET, max-attempts: 2 }
                """);
        assertEquals(2048, s.maxBody());
        assertEquals(7, s.maxQueue());
        assertEquals(3, s.workers());
        assertEquals(9, s.maxAttempts());
        assertEquals(Duration.ofMillis(50), s.initialBackoff());
        assertEquals(Duration.ofSeconds(2), s.maxBackoff());
        assertEquals(Duration.ofSeconds(5), s.reclaimAfter());
        assertEquals(40, s.drainRate());
        assertEquals(Duration.ofMinutes(10), s.resultTtl());
        assertTrue(s.redirect());
        assertEquals(Duration.ofSeconds(3), s.retryAfter());
        assertEquals(1, s.replicas());
        assertEquals(Duration.ofMillis(200), s.replicaTimeout());
        assertEquals(4096, s.maxResultBody());
        assertEquals(Set.of("authorization", "x-secret"), s.dropHeaders());
        assertEquals("hooks.example.com", s.webhook().orElseThrow().url().getHost());
        assertEquals(2, s.webhook().orElseThrow().maxAttempts());
        assertFalse(s.webhook().orElseThrow().secret().fromFile());
    }

    @Test
    void backoffDoublesUpToItsCap() throws ConfigException {
        AsyncSettings s = settings(UP + "    async: { initial-backoff: 100ms, max-backoff: 500ms }\n");
        assertEquals(Duration.ofMillis(100), s.backoff(1));
        assertEquals(Duration.ofMillis(200), s.backoff(2));
        assertEquals(Duration.ofMillis(400), s.backoff(3));
        assertEquals(Duration.ofMillis(500), s.backoff(4));
        assertEquals(Duration.ofMillis(500), s.backoff(40));
    }

    @Test
    void errorsNameTheFieldAndLine() {
        RoutesFiles.assertError(UP + "    async: { max-queue: 7, colour: red }\n", "routes[0].async.colour", 7,
                "unknown key");
        RoutesFiles.assertError(UP + "    async: { result: later }\n", "routes[0].async.result", 7,
                "inline or redirect");
        RoutesFiles.assertError(UP + "    async: { workers: 0 }\n", "routes[0].async.workers", 7, "1..1024");
        RoutesFiles.assertError(UP + "    async: { replica-timeout: 5s }\n", "routes[0].async.replica-timeout", 7,
                "between");
        RoutesFiles.assertError(UP + "    async: { webhook: { url: \"ftp://x/y\", secret-env: S } }\n",
                "routes[0].async.webhook.url", 7, "http or https");
        RoutesFiles.assertError(UP + "    async: { webhook: { url: \"http://x/y\" } }\n", "routes[0].async.webhook", 7,
                "secret-file or secret-env");
        RoutesFiles.assertError(UP + "    async: off-please\n", "routes[0].async", 7, "mapping");
    }

    @Test
    void aNodeWithoutRedisRejectsAsyncRoutes() {
        Exception e = assertThrows(Exception.class, () -> TestGateway.start(UP + "    async: {}\n").close());
        assertTrue(String.valueOf(e.getMessage()).contains("AsyncRoutes"), e.toString());
    }
}
