package dev.loomgate.gateway.policy.ipaccess;

import dev.loomgate.gateway.testing.RoutesFiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import dev.loomgate.gateway.config.RoutesDocument;
import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.yaml.ConfigException;
import org.junit.jupiter.api.Test;

/** {@code ip-access:} as the routes file gives it: values, defaults, opt-out, and errors with file:line. */
class IpAccessConfigTest {
    private static final String UP = RoutesFiles.ONE_ROUTE; // the route's next key is on line 7

    private static IpAccessRules rules(RoutesDocument doc, String routeId) {
        return doc.pipeline(routeId).config(IpAccessFilterFactory.KEY, IpAccessRules.class).orElseThrow();
    }

    private static void assertError(String yaml, String field, int line, String reasonPart) {
        RoutesFiles.assertError(yaml, field, line, reasonPart);
    }

    @Test
    void parsesAllowAndDeny() throws ConfigException {
        RoutesDocument doc = RoutesParser.parse(UP + """
                    ip-access:
                      allow: [10.0.0.0/8, 192.168.1.7, "fd00::/8"]
                      deny: [10.1.2.0/24]
                """, "routes.yaml");
        IpAccessRules r = rules(doc, "a");
        assertEquals(List.of("10.0.0.0/8", "192.168.1.7", "fd00::/8"), r.allow().cidrs());
        assertEquals(List.of("10.1.2.0/24"), r.deny().cidrs());
        assertEquals(List.of("ip-access"), doc.pipeline("a").keys());
    }

    @Test
    void denyAloneAdmitsEveryoneElse() throws ConfigException {
        IpAccessRules r = rules(RoutesParser.parse(UP + "    ip-access: { deny: [203.0.113.0/24] }\n", "routes.yaml"), "a");
        assertTrue(r.allow().isEmpty());
        assertTrue(r.admits("198.51.100.1"));
        assertFalse(r.admits("203.0.113.1"));
    }

    @Test
    void runsBeforeEveryOtherPolicy() throws ConfigException {
        RoutesDocument doc = RoutesParser.parse(UP + """
                    response-headers: { set: { X-A: "1" } }
                    rate-limit: { key: route, limit: 5, per: 1s }
                    cors: { allow-origins: ["*"] }
                    ip-access: { deny: [10.0.0.0/8] }
                """, "routes.yaml");
        assertEquals(List.of("ip-access", "cors", "rate-limit", "response-headers"), doc.pipeline("a").keys());
    }

    @Test
    void defaultAndOptOut() throws ConfigException {
        RoutesDocument doc = RoutesParser.parse("""
                default-filters:
                  ip-access: { allow: [10.0.0.0/8] }
                upstreams:
                  - name: demo
                    endpoints: [127.0.0.1:9001]
                routes:
                  - id: inherits
                    upstream: demo
                  - id: own
                    upstream: demo
                    ip-access: { deny: [10.0.0.1] }
                  - id: public
                    upstream: demo
                    ip-access: off
                """, "routes.yaml");
        assertEquals(List.of("10.0.0.0/8"), rules(doc, "inherits").allow().cidrs());
        assertTrue(rules(doc, "own").allow().isEmpty(), "a route's own value replaces the default whole");
        assertEquals(List.of(), doc.pipeline("public").keys());
    }

    @Test
    void errorsNameLineFieldAndReason() {
        assertError(UP + "    ip-access:\n      allow: [10.0.0.0/8, 10.0.0.300]\n",
                "routes[0].ip-access.allow[1]", 8, "'10.0.0.300' is not an IP address or CIDR block");
        assertError(UP + "    ip-access:\n      deny:\n        - 10.0.0.0/8\n        - 10.0.0.0/33\n",
                "routes[0].ip-access.deny[1]", 10, "prefix length must be 0..32");
        assertError(UP + "    ip-access:\n      deny: [\"2001:db8::/129\"]\n",
                "routes[0].ip-access.deny[0]", 8, "prefix length must be 0..128");
        assertError(UP + "    ip-access:\n      allow: [example.com]\n",
                "routes[0].ip-access.allow[0]", 8, "not an IP address");
        assertError(UP + "    ip-access:\n      allow: []\n",
                "routes[0].ip-access.allow", 8, "must not be empty");
        assertError(UP + "    ip-access:\n      allow: [10.0.0.0/8]\n      block: [10.1.0.0/16]\n",
                "routes[0].ip-access.block", 9, "unknown key (allowed: allow, deny)");
        assertError(UP + "    ip-access: {}\n", "routes[0].ip-access", 7, "give allow, deny or both");
        assertError(UP + "    ip-access: 10.0.0.0/8\n", "routes[0].ip-access", 7, "expected a mapping");
        assertError(UP + "    ip-access:\n      allow: 10.0.0.0/8\n", "routes[0].ip-access.allow", 8, "must be a list");
    }

    @Test
    void invalidDefaultFailsTheFileEvenWhenNoRouteInheritsIt() {
        assertError("""
                default-filters:
                  ip-access:
                    deny: [10.0.0.0/99]
                routes: []
                """, "default-filters.ip-access.deny[0]", 3, "prefix length");
    }
}
