package dev.loomgate.gateway.policy.apikey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code api-key:} through a real gateway: hashed keys with a pepper from a file, a key per consumer, the consumer
 * forwarded (client copies stripped), logged, and used as the rate-limit key; refusals never reach the upstream.
 */
class ApiKeyProxyTest {
    @TempDir
    static Path dir;
    private static TestUpstream upstream;
    private static TestGateway gateway;
    private static Path accessLog;
    private static final String PEPPER = "pepper-0123456789-abcdef";
    private static final String BILLING = ApiKeys.generate();
    private static final String REPORTS = ApiKeys.generate();
    private static final String NOT_LISTED = ApiKeys.generate();

    private static String entry(String key, String consumer, String scopes) {
        byte[] hash = ApiKeys.hash(key, ApiKeys.HashMethod.HMAC_SHA256, PEPPER.getBytes(StandardCharsets.UTF_8));
        return "        - { id: " + ApiKeys.id(key).orElseThrow() + ", hash: " + ApiKeys.hex(hash) + ", consumer: "
                + consumer + ", scopes: [" + scopes + "] }\n";
    }

    @BeforeAll
    static void start() throws Exception {
        upstream = TestUpstream.start("u1");
        Path pepper = dir.resolve("pepper");
        Files.writeString(pepper, PEPPER + "\n");
        accessLog = dir.resolve("access.log");
        String keys = entry(BILLING, "billing", "orders:read, orders:write") + entry(REPORTS, "reports", "orders:read");
        String routes = """
                upstreams:
                  - name: backend
                    endpoints: [ %1$s ]
                routes:
                  - id: api
                    upstream: backend
                    match: { path-prefix: /api }
                    api-key:
                      pepper-file: %2$s
                      forward-headers: { consumer: X-Consumer-Id, scopes: X-Consumer-Scopes }
                      forward-credential: false
                      keys:
                %3$s
                    rate-limit: { key: consumer, limit: 3, per: 1h }
                  - id: write
                    upstream: backend
                    match: { path-prefix: /write }
                    api-key:
                      from: query:api_key
                      pepper-file: %2$s
                      require-scopes: [orders:write]
                      keys:
                %3$s
                """.formatted(upstream.address(), pepper, keys.indent(4).stripTrailing());
        gateway = TestGateway.start(routes, c -> c.toBuilder().accessLog(accessLog.toString()).build());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return TestGateway.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertRefused(int status, String path, String... headers) throws Exception {
        int before = upstream.requestCount();
        HttpResponse<String> r = get(path, headers);
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(before, upstream.requestCount(), "nothing forwarded");
        assertEquals(Optional.of("application/problem+json"), r.headers().firstValue("Content-Type"));
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("ApiKey realm=\"loomgate\""));
    }

    @Test
    void aListedKeyPassesAsItsConsumerAndTheRateLimitCountsPerConsumer() throws Exception {
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = get("/api/x", "X-Api-Key", BILLING, "X-Consumer-Id", "admin");
            assertEquals(200, r.statusCode(), r.body());
            TestUpstream.Received seen = upstream.received().getLast();
            assertEquals("billing", seen.header("X-Consumer-Id"));
            assertEquals("orders:read orders:write", seen.header("X-Consumer-Scopes"));
            assertEquals(null, seen.header("X-Api-Key"), "forward-credential: false keeps the key here");
        }
        assertEquals(429, get("/api/x", "X-Api-Key", BILLING).statusCode(), "billing's own bucket is empty");
        assertEquals(200, get("/api/x", "X-Api-Key", REPORTS).statusCode(), "reports has its own bucket");
        Await.until("the access log names the consumer", Duration.ofSeconds(10), () -> {
            try {
                return Files.exists(accessLog) && Files.readString(accessLog).contains("\"consumer\":\"reports\"");
            } catch (Exception e) {
                return false;
            }
        });
        String log = Files.readString(accessLog);
        assertFalse(log.contains(BILLING) || log.contains(REPORTS), "keys never reach the log");
    }

    @Test
    void missingWrongAndUnlistedKeysAre401() throws Exception {
        assertRefused(401, "/api/x");
        assertRefused(401, "/api/x", "X-Api-Key", NOT_LISTED);
        String sameIdOtherSecret = BILLING.substring(0, 13) + REPORTS.substring(13);
        assertRefused(401, "/api/x", "X-Api-Key", sameIdOtherSecret);
        assertRefused(401, "/api/x", "X-Api-Key", "not-a-key");
        assertRefused(401, "/api/x", "X-Api-Key", BILLING + "x");
        assertRefused(401, "/api/x", "X-Api-Key", "lgk_" + "a".repeat(5000));
    }

    @Test
    void aKeyFromTheQueryNeedsTheRequiredScope() throws Exception {
        assertEquals(200, get("/write/x?api_key=" + BILLING).statusCode());
        assertRefused(403, "/write/x?api_key=" + REPORTS);
        assertRefused(401, "/write/x", "X-Api-Key", BILLING);
    }

    @Test
    void aRoutesVersionWhosePepperTheNodeCannotReadIsRejectedAndTheOldOneKeepsServing() throws Exception {
        String routes = """
                upstreams:
                  - name: backend
                    endpoints: [ %1$s ]
                routes:
                  - id: api
                    upstream: backend
                    match: { path-prefix: /api }
                    api-key:
                      pepper-file: %2$s
                      keys:
                %3$s
                """.formatted(upstream.address(), dir.resolve("no-such-pepper"),
                entry(REPORTS, "reports", "orders:read").indent(4).stripTrailing());
        try (TestGateway gw = TestGateway.start(openRoute(upstream.address()))) {
            assertEquals(200, gw.get("/open").statusCode());
            Files.writeString(gw.routesFile(), routes);
            Await.until("rejection", Duration.ofSeconds(10), () -> gw.node().routing().lastRejection().isPresent());
            String reason = gw.node().routing().lastRejection().orElseThrow().reason();
            assertTrue(reason.contains("routes[0].api-key.pepper-file: cannot read"), reason);
            assertEquals(200, gw.get("/open").statusCode(), "the old routes keep serving");
        }
    }

    /** A routes file with one open route. */
    private static String openRoute(String upstream) {
        return """
                upstreams:
                  - name: backend
                    endpoints: [ %s ]
                routes:
                  - id: open
                    upstream: backend
                    match: { path-prefix: /open }
                """.formatted(upstream);
    }

    @Test
    void hashesAreStableAndPepperDependent() {
        byte[] a = ApiKeys.hash(BILLING, ApiKeys.HashMethod.HMAC_SHA256, PEPPER.getBytes(StandardCharsets.UTF_8));
        byte[] b = ApiKeys.hash(BILLING, ApiKeys.HashMethod.HMAC_SHA256, "other-pepper-000000".getBytes(StandardCharsets.UTF_8));
        assertEquals(64, ApiKeys.hex(a).length());
        assertFalse(ApiKeys.hex(a).equals(ApiKeys.hex(b)));
        assertTrue(ApiKeys.id(BILLING).isPresent());
        assertEquals(List.of(), List.of(ApiKeys.generate()).stream().filter(k -> ApiKeys.id(k).isEmpty()).toList());
    }
}
