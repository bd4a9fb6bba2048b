package dev.loomgate.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

class IpBlocksTest {
    private static InetAddress ip(String s) {
        return IpBlocks.literal(s).orElseThrow();
    }

    @Test
    void matchesIpv4AndIpv6BlocksAndSingleHosts() {
        IpBlocks b = IpBlocks.of(List.of("10.0.0.0/8", "192.168.1.7", "fd00::/8", "2001:db8::1"));
        assertTrue(b.contains(ip("10.0.0.0")));
        assertTrue(b.contains(ip("10.255.255.255")));
        assertFalse(b.contains(ip("11.0.0.0")));
        assertTrue(b.contains(ip("192.168.1.7")), "an address without /len is a single host");
        assertFalse(b.contains(ip("192.168.1.6")));
        assertTrue(b.contains(ip("fdff:ffff::1")));
        assertFalse(b.contains(ip("fe00::1")));
        assertTrue(b.contains(ip("[2001:db8::1]")));
        assertFalse(b.contains(ip("2001:db8::2")));
        assertFalse(b.contains(ip("::ffff:11.0.0.1")));
        assertTrue(b.contains(ip("::ffff:10.9.8.7")), "an IPv4-mapped IPv6 address matches IPv4 blocks");
        assertInstanceOf(Inet4Address.class, ip("::ffff:10.9.8.7"));
    }

    @Test
    void prefixBoundaries() {
        IpBlocks b = IpBlocks.of(List.of("10.1.2.0/23", "2001:db8:0:8000::/49"));
        assertTrue(b.contains(ip("10.1.2.1")));
        assertTrue(b.contains(ip("10.1.3.255")));
        assertFalse(b.contains(ip("10.1.4.0")));
        assertFalse(b.contains(ip("10.1.1.255")));
        assertTrue(b.contains(ip("2001:db8:0:ffff::1")));
        assertFalse(b.contains(ip("2001:db8:0:7fff::1")));
        assertTrue(IpBlocks.of(List.of("0.0.0.0/0")).contains(ip("203.0.113.1")));
        assertFalse(IpBlocks.of(List.of("0.0.0.0/0")).contains(ip("2001:db8::1")), "v4 blocks never match v6");
        assertTrue(IpBlocks.of(List.of("::/0")).contains(ip("2001:db8::1")));
        assertFalse(IpBlocks.of(List.of("::/0")).contains(ip("10.0.0.1")), "v6 blocks never match v4");
    }

    @Test
    void emptyContainsNothing() {
        assertTrue(IpBlocks.none().isEmpty());
        assertTrue(IpBlocks.of(List.of()).isEmpty());
        assertFalse(IpBlocks.none().contains(ip("127.0.0.1")));
    }

    @Test
    void badEntriesAreNamed() {
        for (String bad : new String[] {"10.0.0.0/33", "::/129", "10.0.0/8", "example.com", "10.0.0.0/x", "", "1.2.3.256",
                "10.0.0.0/-1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpBlocks.of(List.of(bad)));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void literalNeverResolvesNames() {
        assertTrue(IpBlocks.literal("localhost").isEmpty());
        assertTrue(IpBlocks.literal("fe80::1%eth0").isEmpty());
        assertEquals("203.0.113.9", IpBlocks.literal(" 203.0.113.9 ").orElseThrow().getHostAddress());
        assertEquals(List.of("10.0.0.0/8"), IpBlocks.of(List.of("10.0.0.0/8")).cidrs());
    }
}
