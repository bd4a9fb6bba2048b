package dev.loomgate.gateway.policy.introspection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.loomgate.gateway.testing.OAuth2TestServer;
import dev.loomgate.gateway.testing.RefusingPort;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code oauth2-introspection:} against a real OAuth2 server's RFC 7662 endpoint: active tokens pass and are
 * cached (until min(exp, cache-ttl)), inactive ones are 401, a missing scope 403, and an IdP that is down, silent
 * or refuses our client credentials is a 503 within the timeout, never a hang; nothing is forwarded on refusal.
 */
class IntrospectionProxyTest {
    @TempDir
    static Path dir;
    private static OAuth2TestServer idp;
    private static TestUpstream upstream;
    private static TestGateway gateway;
    private static RefusingPort refusing;
    private static ServerSocket silent;
    private static final List<Socket> silentConnections = new ArrayList<>();
    private static Thread silentAcceptor;

    private static final String ROUTE = """
              - id: %1$s
                upstream: backend
                match: { path-prefix: /%1$s }
                oauth2-introspection:
                  endpoint: %2$s
                  client-id: %3$s
                  client-secret-file: %4$s
                  timeout: 700ms
                  cache-ttl: 1h
                  negative-cache-ttl: 5m
                  forward-headers: { consumer: X-Consumer-Id, scopes: X-Consumer-Scopes }
                  %5$s
            """;

    @BeforeAll
    static void start() throws Exception {
        idp = OAuth2TestServer.start();
        upstream = TestUpstream.start("u1");
        Path secret = dir.resolve("client-secret");
        Files.writeString(secret, OAuth2TestServer.CLIENT_SECRET + "\n");
        Path wrongSecret = dir.resolve("wrong-secret");
        Files.writeString(wrongSecret, "not-the-secret");
        refusing = RefusingPort.open();
        // accepts connections and never answers: a hung IdP
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        silentAcceptor = Thread.ofVirtual().start(() -> {
            while (!silent.isClosed()) {
                try {
                    Socket s = silent.accept();
                    synchronized (silentConnections) {
                        silentConnections.add(s);
                    }
                } catch (Exception e) {
                    return;
                }
            }
        });
        String routes = "upstreams:\n  - name: backend\n    endpoints: [ " + upstream.address() + " ]\nroutes:\n"
                + ROUTE.formatted("api", idp.introspectionUrl(), OAuth2TestServer.CLIENT_ID, secret, "")
                + ROUTE.formatted("write", idp.introspectionUrl(), OAuth2TestServer.CLIENT_ID, secret,
                "claims: { scope: orders:write }")
                + ROUTE.formatted("badclient", idp.introspectionUrl(), OAuth2TestServer.CLIENT_ID, wrongSecret, "")
                + ROUTE.formatted("down", "http://127.0.0.1:" + refusing.port() + "/introspect",
                OAuth2TestServer.CLIENT_ID, secret, "")
                + ROUTE.formatted("hung", "http://127.0.0.1:" + silent.getLocalPort() + "/introspect",
                OAuth2TestServer.CLIENT_ID, secret, "");
        gateway = TestGateway.start(routes);
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (silent != null) {
            silent.close();
            silentAcceptor.join(5_000);
            synchronized (silentConnections) {
                for (Socket s : silentConnections) {
                    s.close();
                }
            }
        }
        if (refusing != null) {
            refusing.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (idp != null) {
            idp.close();
        }
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        return TestGateway.http().send(HttpRequest.newBuilder(gateway.uri(path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token).header("X-Consumer-Id", "mallory").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject assertRefused(String path, String token, int status) throws Exception {
        int before = upstream.requestCount();
        HttpResponse<String> r = get(path, token);
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(before, upstream.requestCount(), "nothing forwarded");
        assertEquals(Optional.of("application/problem+json"), r.headers().firstValue("Content-Type"));
        return Json.createReader(new StringReader(r.body())).readObject();
    }

    @Test
    void anActiveTokenPassesOnceIntrospectedThenFromTheCache() throws Exception {
        String token = idp.token(Map.of("sub", "dave", "scope", "orders:read"));
        int calls = idp.introspections();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = get("/api/x", token);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("dave", upstream.received().getLast().header("X-Consumer-Id"), "spoofed copy replaced");
            assertEquals("orders:read", upstream.received().getLast().header("X-Consumer-Scopes"));
        }
        assertEquals(1, idp.introspections() - calls, "cached after the first call");
    }

    @Test
    void concurrentRequestsWithOneNewTokenMakeOneCall() throws Exception {
        String token = idp.token(Map.of("sub", "ivan"));
        int calls = idp.introspections();
        List<Thread> threads = new ArrayList<>();
        List<Integer> statuses = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        for (int i = 0; i < 20; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                    statuses.add(get("/api/x", token).statusCode());
                } catch (Exception e) {
                    statuses.add(-1);
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) {
            t.join(30_000);
        }
        assertEquals(java.util.Collections.nCopies(20, 200), statuses);
        assertEquals(1, idp.introspections() - calls, "single flight: one call for 20 concurrent requests");
    }

    @Test
    void inactiveTokensAre401AndNegativelyCached() throws Exception {
        String revoked = idp.token(Map.of("sub", "erin"));
        idp.revoke(revoked);
        int calls = idp.introspections();
        for (String bad : List.of(revoked, revoked, "opaque-garbage-token", "opaque-garbage-token")) {
            JsonObject body = assertRefused("/api/x", bad, 401);
            assertEquals("token is not active", body.getString("detail"));
        }
        assertEquals(2, idp.introspections() - calls, "each inactive token asked once");
        long past = Instant.now().getEpochSecond() - 30;
        assertRefused("/api/x", idp.token(Map.of("sub", "erin", "exp", past, "iat", past - 60)), 401);
    }

    @Test
    void anActiveResultIsCachedNoLongerThanTheTokenLives() throws Exception {
        String shortLived = idp.token(Map.of("sub", "frank"), 2);
        assertEquals(200, get("/api/x", shortLived).statusCode());
        // cache-ttl is 1 h, but the token's exp ends the cached answer: then the IdP says inactive
        Await.until("the short-lived token is refused after its exp", Duration.ofSeconds(10), () -> {
            try {
                return get("/api/x", shortLived).statusCode() == 401;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void aMissingScopeIs403() throws Exception {
        JsonObject body = assertRefused("/write/x", idp.token(Map.of("sub", "gina", "scope", "orders:read")), 403);
        assertEquals("https://loomgate.dev/problems/insufficient-scope", body.getString("type"));
        assertEquals(200, get("/write/x", idp.token(Map.of("sub", "gina", "scope", "orders:write"))).statusCode());
    }

    @Test
    void anUnavailableIdpIsA503WithinTheTimeoutNeverAHang() throws Exception {
        String token = idp.token(Map.of("sub", "hank"));
        for (String path : List.of("/down/x", "/hung/x", "/badclient/x")) {
            long start = System.nanoTime();
            JsonObject body = assertRefused(path, token, 503);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals("https://loomgate.dev/problems/identity-provider-unavailable", body.getString("type"));
            assertTrue(ms < 2_500, path + " took " + ms + " ms with a 700 ms timeout");
        }
        HttpResponse<String> r = get("/hung/x", token);
        assertEquals(Optional.of("1"), r.headers().firstValue("Retry-After"));
    }

    @Test
    void noTokenIs401() throws Exception {
        int before = upstream.requestCount();
        HttpResponse<String> r = TestGateway.http().send(HttpRequest.newBuilder(gateway.uri("/api/x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode());
        assertEquals(Optional.of("Bearer realm=\"loomgate\""), r.headers().firstValue("WWW-Authenticate"));
        assertEquals(before, upstream.requestCount());
    }
}
