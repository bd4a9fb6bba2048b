package dev.loomgate.gateway.admin;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.config.EdgeRules;
import dev.loomgate.gateway.config.NodeConfig;
import dev.loomgate.gateway.config.NodeConfigParser;
import dev.loomgate.gateway.testing.RawHttp;
import dev.loomgate.gateway.testing.TestGateway;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A web page cannot drain a node: CSRF and DNS-rebinding checks on the admin socket, over real HTTP. */
class AdminGuardTest {
    private static final String ROUTES = "routes: []\nupstreams: []\n";

    private static RawHttp.Response call(TestGateway g, String method, String path, String... headerLines)
            throws Exception {
        StringBuilder sb = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        boolean host = false;
        for (String h : headerLines) {
            host |= h.regionMatches(true, 0, "Host:", 0, 5);
            sb.append(h).append("\r\n");
        }
        if (!host) {
            sb.append("Host: 127.0.0.1:").append(g.adminPort()).append("\r\n");
        }
        sb.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
        return RawHttp.exchange(g.adminPort(), sb.toString());
    }

    private static void assertRefused(RawHttp.Response r, String detailPart) {
        assertEquals(403, r.status(), r.text());
        assertTrue(r.header("Content-Type").startsWith("application/problem+json"), r.text());
        JsonObject body = Json.createReader(new StringReader(new String(r.body(), StandardCharsets.UTF_8))).readObject();
        assertEquals(403, body.getInt("status"));
        assertEquals("https://loomgate.dev/problems/forbidden", body.getString("type"));
        assertTrue(body.getString("detail").contains(detailPart), body.getString("detail"));
    }

    @Test
    void aBrowserFormPostCannotDrainTheNode() throws Exception {
        try (TestGateway g = TestGateway.start(ROUTES)) {
            // what <form method=post action=http://127.0.0.1:9080/admin/drain> sends
            assertRefused(call(g, "POST", "/admin/drain", "Origin: https://evil.example",
                    "Content-Type: application/x-www-form-urlencoded", "Sec-Fetch-Site: cross-site"), "Origin");
            assertRefused(call(g, "POST", "/admin/drain", "Origin: null"), "Origin");
            assertRefused(call(g, "POST", "/admin/drain", "Sec-Fetch-Site: same-site"), "Sec-Fetch-Site");
            // no Origin at all (old browsers, some redirects): still needs the non-simple header
            assertRefused(call(g, "POST", "/admin/drain"), "X-Loomgate-Admin");
            assertRefused(call(g, "DELETE", "/admin/routes"), "X-Loomgate-Admin");
            // DNS rebinding: evil.example now resolves to 127.0.0.1, the page is "same-origin"
            assertRefused(call(g, "POST", "/admin/drain", "Host: evil.example:" + g.adminPort(),
                    "X-Loomgate-Admin: 1"), "DNS rebinding");
            assertRefused(call(g, "GET", "/admin/routes", "Host: evil.example"), "DNS rebinding");
            assertTrue(g.node().ready(), "still serving");
            // curl -X POST -H 'X-Loomgate-Admin: 1' works, as does Sec-Fetch-Site: same-origin or none
            assertEquals(200, call(g, "GET", "/admin/routes", "Host: localhost:1").status());
            assertEquals(200, call(g, "GET", "/health/ready", "Host: gw1.internal").status(), "health stays open");
            assertEquals(200, call(g, "GET", "/metrics", "Host: prometheus-target").status(), "metrics stay open");
            assertEquals(202, call(g, "POST", "/admin/drain", "X-Loomgate-Admin: 1", "Sec-Fetch-Site: none").status());
        }
    }

    @Test
    void allowedOriginsAndAdminHostsAreConfigurable() throws Exception {
        try (TestGateway g = TestGateway.start(ROUTES, c -> c.toBuilder().edge(e -> e.admin(new EdgeRules.Admin(
                List.of("https://ops.example.com"), List.of("gw1.internal"), false))).build())) {
            assertEquals(200, call(g, "GET", "/admin/config", "Host: GW1.internal:9080").status());
            assertRefused(call(g, "POST", "/admin/drain", "Origin: https://ops.example.com.evil"), "Origin");
            assertEquals(202, call(g, "POST", "/admin/drain", "Host: gw1.internal", "Origin: https://ops.example.com",
                    "Sec-Fetch-Site: cross-site", "X-Loomgate-Admin: 1").status());
        }
    }

    @Test
    void tokenRequiredOnLoopbackWhenConfigured() throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> TestGateway.start(ROUTES, c -> c.toBuilder()
                .edge(edge -> edge.admin(new EdgeRules.Admin(List.of(), List.of(), true))).build()));
        assertTrue(e.getMessage().contains("admin.require-token-on-loopback"), e.getMessage());
        String token = "loopback-token-0123456789";
        try (TestGateway g = TestGateway.start(ROUTES, c -> c.toBuilder().operations(o -> o.adminToken(token))
                .edge(edge -> edge.admin(new EdgeRules.Admin(List.of(), List.of(), true))).build())) {
            assertEquals(401, call(g, "POST", "/admin/consul/freeze", "X-Loomgate-Admin: 1").status());
            assertEquals(401, call(g, "POST", "/admin/drain", "X-Loomgate-Admin: 1").status());
            assertEquals(202, call(g, "POST", "/admin/drain", "Authorization: Bearer " + token).status(),
                    "the token alone is a non-simple header too");
        }
    }

    @Test
    void decisionsWithoutAServer() {
        AdminGuard guard = new AdminGuard(EdgeRules.Admin.defaults());
        for (String host : new String[] {"127.0.0.1", "127.0.0.1:9080", "[::1]:9080", "[::1]", "localhost", "LOCALHOST.",
                "10.77.0.21:9080"}) {
            assertTrue(guard.hostAllowed(host), host);
        }
        for (String host : new String[] {"evil.example", "127.0.0.1.nip.io", "localhost.evil.example", "127.0.0.1:x",
                "[::1", "::1", "", "1.2.3.4:99999999"}) {
            assertFalse(guard.hostAllowed(host), host);
        }
        var get = new AdminGuard.Request("GET", "/admin/routes", Optional.of("127.0.0.1"),
                Optional.of("https://evil.example"), Optional.of("cross-site"), false, false);
        assertTrue(guard.refusal(get).isEmpty(), "reads are not CSRF (the browser will not show the answer)");
    }

    @Test
    void adminKeysParse() throws Exception {
        NodeConfig c = NodeConfigParser.parse("""
                admin:
                  allowed-origins: [ "https://Ops.example.com" ]
                  hosts: [ gw1.internal ]
                  require-token-on-loopback: true
                """, "gateway.yaml");
        assertEquals(new EdgeRules.Admin(List.of("https://ops.example.com"), List.of("gw1.internal"), true),
                c.edge().admin());
        assertThrows(ConfigException.class, () -> NodeConfigParser.parse("admin: { allowed-origins: [ '*' ] }", "g"));
    }
}
