package dev.loomgate.gateway.policy.session;

import static dev.loomgate.gateway.policy.session.SessionProxyTest.enc;
import static dev.loomgate.gateway.policy.session.SessionProxyTest.keys;
import static dev.loomgate.gateway.policy.session.SessionProxyTest.node;
import static dev.loomgate.gateway.policy.session.SessionProxyTest.routes;
import static dev.loomgate.gateway.policy.session.SessionTestKit.get;
import static dev.loomgate.gateway.policy.session.SessionTestKit.idOf;
import static dev.loomgate.gateway.policy.session.SessionTestKit.setCookie;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad session cookies are no session, never an error: each one gets a new session on an open route and a 401 on a
 * required one (SessionProxyTest's routes). One node on one Redis for every bad cookie, as a client sending them one
 * after the other would see it; the last check reads what all of them left behind, so the methods run in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SessionBadCookieTest {
    /** A bad cookie made from a good one (its value, its session id, a foreign keyring with the same key id). */
    @FunctionalInterface
    interface BadCookie {
        String from(String good, String id, SessionKeyring foreign);
    }

    static Stream<Arguments> badCookies() {
        return Stream.of(
                bad("tampered signature", (good, id, f) -> good.substring(0, good.length() - 1)
                        + (good.endsWith("A") ? "B" : "A")),
                bad("tampered id", (good, id, f) -> good.replace(id, id.substring(0, 42) + (id.endsWith("A") ? "B" : "A"))),
                bad("truncated", (good, id, f) -> good.substring(0, good.length() / 2)),
                bad("foreign-signed, same id", (good, id, f) -> f.sign(id)),
                bad("unknown key", (good, id, f) -> "v1.k9." + id + ".AAAA"),
                bad("oversized", (good, id, f) -> good + "x".repeat(3000)),
                bad("%00%ff%\"", (good, id, f) -> "%00%ff%\""),
                bad("empty", (good, id, f) -> ""),
                bad("v1....", (good, id, f) -> "v1...."),
                bad("{}", (good, id, f) -> "{}"),
                bad(";;;;", (good, id, f) -> ";;;;"));
    }

    private static Arguments bad(String name, BadCookie cookie) {
        return Arguments.of(Named.of(name, cookie));
    }

    private RedisTestServers servers;
    private TestUpstream upstream;
    private TestGateway a;
    private String good;
    private String id;
    private SessionKeyring foreign;

    @BeforeAll
    void start(@TempDir Path keysDir) throws Exception {
        servers = RedisTestServers.create();
        upstream = TestUpstream.start("u").behave(SessionTestKit.sessionDriver("u"));
        RedisTestServers.Server redis = servers.startServer();
        a = node(routes(upstream, keys(keysDir, "k1")), redis.port());
        good = setCookie(get(a, "/x?set=" + enc("a0=secret-data"), Optional.empty())).orElseThrow();
        foreign = new SessionKeyring(new SessionKeyring.Key("k1",
                "an-attackers-own-secret-0123456789abc".getBytes()), List.of());
        id = idOf(good);
    }

    @AfterAll
    void stop() {
        if (a != null) {
            a.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (servers != null) {
            servers.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCookies")
    @Order(1)
    void aNewSessionOnTheOpenRouteAnd401OnTheRequiredOne(BadCookie bad) throws Exception {
        String cookie = bad.from(good, id, foreign);
        HttpResponse<String> open = get(a, "/x", Optional.of(cookie));
        assertEquals(200, open.statusCode(), "open route, cookie " + cookie + ": " + open.body());
        assertFalse(open.body().contains("secret-data"), "no access to the real session: " + cookie);
        String fresh = setCookie(open).orElseThrow(() -> new AssertionError("a new session for " + cookie));
        assertNotEquals(id, idOf(fresh));
        HttpResponse<String> closed = get(a, "/private/x", Optional.of(cookie));
        assertEquals(401, closed.statusCode(), "required route, cookie " + cookie + ": " + closed.body());
        assertTrue(closed.body().contains("\"status\":401"), closed.body());
    }

    @Test
    @Order(2)
    void rejectionsAreCountedAndTheGoodCookieStillWorks() throws Exception {
        String metrics = a.admin("/metrics").body();
        assertTrue(metrics.contains("loomgate_session_cookie_rejected_total "), metrics);
        assertFalse(metrics.contains("loomgate_session_cookie_rejected_total 0\n"), metrics);
        // the good cookie still works on the required route
        assertEquals(200, get(a, "/private/x", Optional.of(good)).statusCode());
    }
}
