package dev.loomgate.gateway.policy.ipaccess;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import dev.loomgate.gateway.net.IpBlocks;
import org.junit.jupiter.api.Test;

class IpAccessRulesTest {
    private static IpBlocks blocks(String... cidrs) {
        return IpBlocks.of(List.of(cidrs));
    }

    @Test
    void allowListAdmitsOnlyItsBlocks() {
        IpAccessRules r = new IpAccessRules(blocks("10.0.0.0/8", "192.168.1.7"), IpBlocks.none());
        assertTrue(r.admits("10.20.30.40"));
        assertTrue(r.admits("192.168.1.7"));
        assertFalse(r.admits("192.168.1.8"));
        assertFalse(r.admits("127.0.0.1"));
        assertFalse(r.admits("2001:db8::1"), "an IPv6 client is not in an IPv4-only allow list");
    }

    @Test
    void denyWinsOverAllow() {
        IpAccessRules r = new IpAccessRules(blocks("10.0.0.0/8"), blocks("10.1.2.0/24"));
        assertTrue(r.admits("10.1.3.1"));
        assertFalse(r.admits("10.1.2.1"));
        assertFalse(r.admits("10.1.2.255"));
    }

    @Test
    void emptyAllowAdmitsEveryAddressNotDenied() {
        IpAccessRules r = new IpAccessRules(IpBlocks.none(), blocks("10.1.2.0/24", "2001:db8::/32"));
        assertTrue(r.admits("203.0.113.5"));
        assertTrue(r.admits("::1"));
        assertFalse(r.admits("10.1.2.3"));
        assertFalse(r.admits("2001:db8:1::7"));
        assertFalse(r.admits("[2001:db8::9]"));
    }

    @Test
    void ipv6AllowList() {
        IpAccessRules r = new IpAccessRules(blocks("fd00::/8", "2001:db8::1"), IpBlocks.none());
        assertTrue(r.admits("fd12::3"));
        assertTrue(r.admits("2001:db8::1"));
        assertFalse(r.admits("2001:db8::2"));
        assertFalse(r.admits("10.0.0.1"));
    }

    @Test
    void ipv4MappedAddressesAreTheirIpv4Address() {
        IpAccessRules r = new IpAccessRules(blocks("10.0.0.0/8"), blocks("10.9.0.0/16"));
        assertTrue(r.admits("::ffff:10.1.1.1"));
        assertFalse(r.admits("::ffff:10.9.1.1"), "a dual-stack socket must not slip past an IPv4 deny");
    }

    @Test
    void textThatIsNoAddressIsRefused() {
        IpAccessRules denyOnly = new IpAccessRules(IpBlocks.none(), blocks("10.0.0.0/8"));
        assertFalse(denyOnly.admits("unknown"), "no rule can be shown not to cover it");
        assertFalse(denyOnly.admits(""));
    }
}
