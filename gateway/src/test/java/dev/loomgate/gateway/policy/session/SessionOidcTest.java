package dev.loomgate.gateway.policy.session;

import static dev.loomgate.gateway.policy.session.SessionTestKit.echoed;
import static dev.loomgate.gateway.policy.session.SessionTestKit.get;
import static dev.loomgate.gateway.policy.session.SessionTestKit.idOf;
import static dev.loomgate.gateway.policy.session.SessionTestKit.setCookie;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import dev.loomgate.gateway.redis.RedisSessionStore;
import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.testing.OAuth2TestServer;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend-for-frontend login against a real identity provider (oauth2-mock-server): authorization code + PKCE,
 * the id rotated at login, the access token relayed upstream (never to the browser), refreshed before it expires,
 * the user as the rate limit's consumer, and a logout that ends the session on every node.
 */
class SessionOidcTest {
    private static final String ROUTES = """
            default-filters:
              session:
                keys: %s
                forward-attributes: { _user: X-Attr-user }
                oidc:
                  issuer: %s
                  authorization-endpoint: %s/authorize
                  token-endpoint: %s/token
                  end-session-endpoint: %s/endsession
                  client-id: %s
                  client-secret-file: %s
                  redirect-uri: http://127.0.0.1:%d/auth/callback
                  logout-path: /auth/logout
                  post-logout-redirect-uri: http://127.0.0.1:%d/bye
                  scopes: [profile]
                  refresh-before: 30s
            upstreams:
              - name: backend
                endpoints: [ %s ]
            routes:
              - id: limited
                match: { path-prefix: /limited }
                upstream: backend
                rate-limit: { key: consumer, limit: 2, per: 1h }
              - id: app
                match: { path-prefix: / }
                upstream: backend
            """;

    @TempDir
    Path dir;

    @Test
    void loginRelayRefreshAndLogoutAcrossNodes() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create(); OAuth2TestServer idp = OAuth2TestServer.start();
             TestUpstream upstream = TestUpstream.start("u").behave(SessionTestKit.sessionDriver("u"))) {
            RedisTestServers.Server redis = servers.startServer();
            int portA = RedisTestServers.freePort();
            int portB = RedisTestServers.freePort();
            String issuer = idp.issuer();
            Path secret = SessionTestKit.secret(dir, "client-secret", OAuth2TestServer.CLIENT_SECRET);
            String keys = SessionProxyTest.keys(dir, "k1");
            idp.tokenTtl(20); // below refresh-before: the first request after the login refreshes
            try (TestGateway a = node(ROUTES.formatted(keys, issuer, issuer, issuer, issuer, OAuth2TestServer.CLIENT_ID,
                    secret, portA, portA, upstream.address()), portA, redis.port());
                 TestGateway b = node(ROUTES.formatted(keys, issuer, issuer, issuer, issuer, OAuth2TestServer.CLIENT_ID,
                         secret, portA, portA, upstream.address()), portB, redis.port())) {
                // 1. a page load without a session: a pre-login session and a redirect to the provider
                HttpResponse<String> start = get(a, "/app/page?x=1", Optional.empty());
                assertEquals(302, start.statusCode(), start.body());
                String preLogin = setCookie(start).orElseThrow();
                URI authorize = URI.create(start.headers().firstValue("Location").orElseThrow());
                assertTrue(authorize.toString().startsWith(issuer + "/authorize?"), authorize.toString());
                String q = authorize.getRawQuery();
                assertTrue(q.contains("code_challenge_method=S256") && q.contains("code_challenge=")
                        && q.contains("state=") && q.contains("scope=openid+profile"), q);
                assertEquals(401, SessionTestKit.HTTP.send(HttpRequest.newBuilder(a.uri("/api")).POST(
                        HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode(),
                        "a non-page request is not redirected");

                // 2. the provider sends the browser back with a code; 3. the callback (on the other node)
                HttpResponse<String> atIdp = SessionTestKit.HTTP.send(HttpRequest.newBuilder(authorize).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(302, atIdp.statusCode(), atIdp.body());
                URI callback = URI.create(atIdp.headers().firstValue("Location").orElseThrow());
                assertEquals("/auth/callback", callback.getPath());
                URI onB = URI.create("http://127.0.0.1:" + portB + callback.getRawPath() + "?" + callback.getRawQuery());
                HttpResponse<String> landed = SessionTestKit.get(onB, Optional.of(preLogin), "lg_session");
                assertEquals(302, landed.statusCode(), landed.body());
                assertEquals("/app/page?x=1", landed.headers().firstValue("Location").orElseThrow());
                String session = setCookie(landed).orElseThrow(() -> new AssertionError("a new cookie at login"));
                assertNotEquals(idOf(preLogin), idOf(session), "the id rotates at login");
                assertFalse(landed.headers().map().toString().contains("eyJ"), "no token reaches the browser");
                assertEquals(List.of("0"), RedisTestServers.command(redis.port(), "EXISTS",
                        RedisSessionStore.key(idOf(preLogin))), "the pre-login id is gone");
                HttpResponse<String> replay = SessionTestKit.get(onB, Optional.of(session), "lg_session");
                assertEquals(401, replay.statusCode(), "a callback is good once: " + replay.body());

                // 4. the upstream gets the access token; the refresh happened before it went out
                HttpResponse<String> page = get(a, "/app/page", Optional.of(session));
                assertEquals(200, page.statusCode(), page.body());
                String bearer = echoed(page).getOrDefault("authorization", "");
                assertTrue(bearer.startsWith("Bearer eyJ"), page.body());
                String claims = new String(Base64.getUrlDecoder().decode(bearer.substring(7).split("\\.")[1]),
                        StandardCharsets.UTF_8);
                assertTrue(claims.contains("\"sub\":\"johndoe\"") && claims.contains(issuer), claims);
                assertEquals("johndoe", echoed(page).get("x-attr-user"), "the user forwarded as a header");
                assertEquals(1, idp.grants("refresh_token"), "refreshed: it expired within refresh-before");
                idp.tokenTtl(3600);
                assertEquals(200, get(b, "/app/page", Optional.of(session)).statusCode());
                assertEquals(2, idp.grants("refresh_token"));
                HttpResponse<String> fresh = get(b, "/app/page", Optional.of(session));
                assertTrue(echoed(fresh).getOrDefault("authorization", "").startsWith("Bearer eyJ"));
                assertEquals(2, idp.grants("refresh_token"), "no refresh while the token is fresh");
                assertEquals(1, idp.grants("authorization_code"));
                // the client's own Authorization never goes upstream
                HttpResponse<String> forged = SessionTestKit.HTTP.send(HttpRequest.newBuilder(a.uri("/app"))
                        .header("Cookie", "lg_session=" + session).header("Authorization", "Bearer forged").build(),
                        HttpResponse.BodyHandlers.ofString());
                assertFalse(forged.body().contains("forged"), forged.body());

                // 5. the user is the rate limit's consumer (not the anonymous bucket)
                assertEquals(200, get(a, "/limited/1", Optional.of(session)).statusCode());
                assertEquals(200, get(a, "/limited/2", Optional.of(session)).statusCode());
                assertEquals(429, get(a, "/limited/3", Optional.of(session)).statusCode());
                assertTrue(a.admin("/metrics").body().contains("loomgate_ratelimit_anonymous_total 0"));

                // 6. logout on node A ends the session on node B too, and ends the provider's session
                HttpResponse<String> out = get(a, "/auth/logout", Optional.of(session));
                assertEquals(302, out.statusCode());
                String to = out.headers().firstValue("Location").orElseThrow();
                assertTrue(to.startsWith(issuer + "/endsession?id_token_hint=eyJ") && to.contains(
                        "post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A" + portA + "%2Fbye"), to);
                assertTrue(out.headers().allValues("Set-Cookie").stream().anyMatch(c -> c.contains("Max-Age=0")));
                HttpResponse<String> afterLogout = get(b, "/app/page", Optional.of(session));
                assertEquals(302, afterLogout.statusCode(), "logged out everywhere");
                assertTrue(afterLogout.headers().firstValue("Location").orElseThrow().startsWith(issuer + "/authorize"));
                String metrics = a.admin("/metrics").body() + b.admin("/metrics").body();
                assertTrue(metrics.contains("loomgate_session_oidc_total{event=\"login\"} 1"), metrics);
                assertTrue(metrics.contains("loomgate_session_rotated_total{reason=\"login\"} 1"), metrics);
            }
        }
    }

    /** A browser: follows every redirect (gateway, provider, callback) keeping cookies, and lands logged in. */
    @Test
    void aBrowserFollowingRedirectsEndsUpLoggedIn() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create(); OAuth2TestServer idp = OAuth2TestServer.start();
             TestUpstream upstream = TestUpstream.start("u").behave(SessionTestKit.sessionDriver("u"))) {
            RedisTestServers.Server redis = servers.startServer();
            int port = RedisTestServers.freePort();
            String issuer = idp.issuer();
            Path secret = SessionTestKit.secret(dir, "client-secret", OAuth2TestServer.CLIENT_SECRET);
            try (TestGateway a = node(ROUTES.formatted(SessionProxyTest.keys(dir, "k1"), issuer, issuer, issuer, issuer,
                    OAuth2TestServer.CLIENT_ID, secret, port, port, upstream.address()), port, redis.port())) {
                HttpClient browser = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                        .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
                        .followRedirects(HttpClient.Redirect.NORMAL).build();
                HttpResponse<String> r = browser.send(HttpRequest.newBuilder(a.uri("/dashboard")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                assertEquals("/dashboard", r.uri().getPath());
                assertTrue(echoed(r).getOrDefault("authorization", "").startsWith("Bearer eyJ"), r.body());
            }
        }
    }

    private static TestGateway node(String routes, int port, int redisPort) throws Exception {
        return TestGateway.start(routes, c -> c.toBuilder().node(n -> n.port(port))
                .redis(RedisSettings.standalone("127.0.0.1", redisPort)).build());
    }
}
