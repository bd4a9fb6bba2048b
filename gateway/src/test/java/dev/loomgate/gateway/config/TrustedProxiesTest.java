package dev.loomgate.gateway.config;

import dev.loomgate.gateway.yaml.ConfigException;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrustedProxiesTest {
    private static InetAddress ip(String s) {
        return TrustedProxies.literal(s).orElseThrow();
    }

    @Test
    void matchesIpv4AndIpv6Blocks() {
        TrustedProxies t = TrustedProxies.of(List.of("10.0.0.0/8", "127.0.0.1/32", "192.168.1.7", "fd00::/8",
                "2001:db8::1/128"));
        assertTrue(t.contains(ip("10.255.1.2")));
        assertTrue(t.contains(ip("127.0.0.1")));
        assertFalse(t.contains(ip("127.0.0.2")));
        assertTrue(t.contains(ip("192.168.1.7")));
        assertFalse(t.contains(ip("192.168.1.8")));
        assertFalse(t.contains(ip("11.0.0.1")));
        assertTrue(t.contains(ip("fd12:3456::1")));
        assertTrue(t.contains(ip("[2001:db8::1]")));
        assertFalse(t.contains(ip("2001:db8::2")));
        assertFalse(t.contains(ip("::1")));
        assertTrue(t.contains(ip("::ffff:10.1.2.3")), "an IPv4-mapped address is the IPv4 address");
    }

    @Test
    void oddPrefixLengthsAndEverything() {
        assertTrue(TrustedProxies.of(List.of("0.0.0.0/0")).contains(ip("203.0.113.1")));
        assertFalse(TrustedProxies.of(List.of("0.0.0.0/0")).contains(ip("::1")));
        assertTrue(TrustedProxies.of(List.of("::/0")).contains(ip("2001:db8::5")));
        TrustedProxies t = TrustedProxies.of(List.of("10.0.0.0/9", "2001:db8:0:8000::/49"));
        assertTrue(t.contains(ip("10.127.0.1")));
        assertFalse(t.contains(ip("10.128.0.1")));
        assertTrue(t.contains(ip("2001:db8:0:ffff::1")));
        assertFalse(t.contains(ip("2001:db8:0:7fff::1")));
        assertTrue(TrustedProxies.none().isEmpty());
        assertFalse(TrustedProxies.none().contains(ip("127.0.0.1")), "nobody is trusted by default, loopback included");
    }

    @Test
    void badEntriesAreNamed() {
        for (String bad : new String[] {"10.0.0.0/33", "::/129", "10.0.0/8", "example.com/32", "10.0.0.0/x", "", "1.2.3.256"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrustedProxies.of(List.of(bad)));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void literalNeverResolvesNames() {
        assertTrue(TrustedProxies.literal("localhost").isEmpty());
        assertTrue(TrustedProxies.literal("example.com").isEmpty());
        assertTrue(TrustedProxies.literal("fe80::1%eth0").isEmpty());
        assertTrue(TrustedProxies.literal("unknown").isEmpty());
        assertEquals("203.0.113.9", TrustedProxies.literal(" 203.0.113.9 ").orElseThrow().getHostAddress());
    }

    @Test
    void parsedFromNodeConfig() throws Exception {
        NodeConfig c = NodeConfigParser.parse("""
                forwarded: { trusted-proxies: [10.0.0.0/8, 127.0.0.1/32, "fd00::/8"] }
                paths: { merge-slashes: false }
                """, "gateway.yaml");
        assertEquals(List.of("10.0.0.0/8", "127.0.0.1/32", "fd00::/8"), c.edge().forwarded().trustedProxies().cidrs());
        assertFalse(c.edge().paths().mergeSlashes());
        assertTrue(NodeConfig.defaults().edge().paths().mergeSlashes());
        ConfigException e = assertThrows(ConfigException.class,
                () -> NodeConfigParser.parse("forwarded: { trusted-proxies: [10.0.0.0/40] }", "gateway.yaml"));
        assertTrue(e.getMessage().startsWith("gateway.yaml:1: forwarded.trusted-proxies"), e.getMessage());
    }
}
