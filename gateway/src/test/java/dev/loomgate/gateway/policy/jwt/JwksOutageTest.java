package dev.loomgate.gateway.policy.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import dev.loomgate.gateway.testing.OAuth2TestServer;
import dev.loomgate.testsupport.Await;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The IdP's JWKS endpoint down (503), slow (never answers) or answering garbage: the last good keys keep serving
 * past their TTL; with no keys yet a request is a 401 (not a 500) within the configured timeout.
 */
class JwksOutageTest {
    private OAuth2TestServer idp;
    private TestUpstream upstream;

    @BeforeEach
    void start() throws Exception {
        idp = OAuth2TestServer.start();
        upstream = TestUpstream.start("u1");
    }

    @AfterEach
    void stop() {
        if (upstream != null) {
            upstream.close();
        }
        if (idp != null) {
            idp.close();
        }
    }

    private static String route(String id, String issuer, String jwks, String extra) {
        return """
                  - id: %1$s
                    upstream: backend
                    match: { path-prefix: /%1$s }
                    jwt:
                      issuers:
                        - { issuer: %2$s, algorithms: [RS256], jwks-url: %3$s, %4$s }
                """.formatted(id, issuer, jwks, extra);
    }

    private String routes(String... routes) {
        return "upstreams:\n  - name: backend\n    endpoints: [ " + upstream.address() + " ]\nroutes:\n"
                + String.join("", routes);
    }

    private static HttpResponse<String> get(TestGateway gw, String path, String token) throws Exception {
        return TestGateway.http().send(HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(40))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void cachedKeysKeepServingWhileTheJwksEndpointIsDownSlowOrBroken() throws Exception {
        // keys live 2 s, so each outage below outlasts them; the outage tolerance keeps the last good ones.
        // The route's verified-token cache is off: the same token must need the keys on every request here
        // (with it on, a repeated token would not reach the key cache at all, VerifiedTokensTest).
        String extra = "jwks-cache-ttl: 2s, jwks-timeout: 500ms, jwks-refresh-ahead: 200ms, "
                + "jwks-min-refetch-interval: 500ms, jwks-outage-tolerance: 1h";
        try (TestGateway gw = TestGateway.start(routes(route("api", idp.issuer(), idp.jwksUrl(), extra)
                + "      verified-cache-size: 0\n"))) {
            String token = idp.token(JwtProxyTest.claims("alice", "a", "s"));
            assertEquals(200, get(gw, "/api", token).statusCode(), "warm");
            for (String mode : List.of("down", "garbage", "slow")) {
                idp.jwksMode(mode);
                int fetches = idp.jwksFetches();
                long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                int afterFailedFetch = 0;
                // until the gateway has tried (and failed) to refresh, and served a few requests after that
                while (afterFailedFetch < 5 && System.nanoTime() < deadline) {
                    boolean refreshTried = idp.jwksFetches() > fetches;
                    long start = System.nanoTime();
                    HttpResponse<String> r = get(gw, "/api", token);
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    assertEquals(200, r.statusCode(), mode + ": the last good keys must keep serving: " + r.body());
                    assertTrue(ms < 2_500, mode + ": a request waited " + ms + " ms (jwks-timeout is 500 ms)");
                    if (refreshTried) {
                        afterFailedFetch++;
                    }
                }
                assertEquals(5, afterFailedFetch, mode + ": the gateway never tried to refresh within 15 s");
                idp.jwksMode("normal");
            }
        }
    }

    @Test
    void withNoKeysYetABrokenJwksEndpointIsA401WithinTheTimeout() throws Exception {
        // one route per mode, with distinct settings so each has its own (empty) key cache
        try (TestGateway gw = TestGateway.start(routes(
                route("down", idp.issuer(), idp.jwksUrl(), "jwks-timeout: 400ms, jwks-min-refetch-interval: 1s"),
                route("garbage", idp.issuer(), idp.jwksUrl(), "jwks-timeout: 450ms, jwks-min-refetch-interval: 1s"),
                route("slow", idp.issuer(), idp.jwksUrl(), "jwks-timeout: 500ms, jwks-min-refetch-interval: 1s")))) {
            String token = idp.token(JwtProxyTest.claims("alice", "a", "s"));
            for (String mode : List.of("down", "garbage", "slow")) {
                idp.jwksMode(mode);
                int before = upstream.requestCount();
                long start = System.nanoTime();
                HttpResponse<String> r = get(gw, "/" + mode, token);
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertEquals(401, r.statusCode(), mode + ": " + r.body());
                assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").contains("invalid_token"));
                assertTrue(ms < 2_000, mode + ": took " + ms + " ms; connect + read are bounded by ~500 ms each");
                assertEquals(before, upstream.requestCount());
            }
            idp.jwksMode("normal");
            // once the IdP is back the same route works (the failed fetches were not cached as "no keys")
            Await.until("route /down recovers after the IdP comes back", Duration.ofSeconds(20), () -> {
                try {
                    return get(gw, "/down", token).statusCode() == 200;
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }
}
