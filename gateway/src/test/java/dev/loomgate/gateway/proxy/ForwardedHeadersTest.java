package dev.loomgate.gateway.proxy;

import java.util.List;
import java.util.Optional;

import dev.loomgate.gateway.config.TrustedProxies;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ForwardedHeadersTest {
    private static final ForwardedHeaders.Own OWN = new ForwardedHeaders.Own("192.0.2.10", "http",
            Optional.of("api.example.com"), "8080");
    private static final ForwardedHeaders.Incoming SPOOFED = new ForwardedHeaders.Incoming(List.of("1.2.3.4"),
            List.of("https"), List.of("evil.example"), List.of("443"), List.of("for=1.2.3.4;proto=https"));

    @Test
    void untrustedPeerHeadersAreReplacedByOurs() {
        ForwardedHeaders.Outgoing o = ForwardedHeaders.decide(OWN, false, SPOOFED);
        assertEquals("192.0.2.10", o.forwardedFor());
        assertEquals("http", o.proto());
        assertEquals(Optional.of("api.example.com"), o.host());
        assertEquals("8080", o.port());
        assertEquals("for=192.0.2.10;proto=http;host=\"api.example.com\"", o.forwarded());
    }

    @Test
    void trustedPeerHeadersAreKeptAndAppendedTo() {
        ForwardedHeaders.Outgoing o = ForwardedHeaders.decide(OWN, true, SPOOFED);
        assertEquals("1.2.3.4, 192.0.2.10", o.forwardedFor());
        assertEquals("https", o.proto());
        assertEquals(Optional.of("evil.example"), o.host());
        assertEquals("443", o.port());
        assertEquals("for=1.2.3.4;proto=https, for=192.0.2.10;proto=http;host=\"api.example.com\"", o.forwarded());
        ForwardedHeaders.Outgoing none = ForwardedHeaders.decide(OWN, true, ForwardedHeaders.Incoming.none());
        assertEquals("192.0.2.10", none.forwardedFor());
        assertEquals("http", none.proto());
        assertEquals("8080", none.port());
    }

    @Test
    void ipv6ForIsBracketedAndQuoted() {
        var own = new ForwardedHeaders.Own("2001:db8::1", "https", Optional.empty(), "443");
        assertEquals("for=\"[2001:db8::1]\";proto=https", ForwardedHeaders.decide(own, false, SPOOFED).forwarded());
        var badHost = new ForwardedHeaders.Own("192.0.2.1", "http", Optional.of("a\"b"), "80");
        assertEquals("for=192.0.2.1;proto=http", ForwardedHeaders.element(badHost), "an unquotable host is left out");
    }

    @Test
    void clientIpIsTheRightmostUntrustedAddressOnlyBehindATrustedProxy() {
        TrustedProxies lbs = TrustedProxies.of(List.of("10.0.0.0/8"));
        assertEquals("192.0.2.7", ForwardedHeaders.clientIp("192.0.2.7", false, List.of("1.1.1.1"), lbs),
                "untrusted peer: the peer, whatever the header says");
        assertEquals("203.0.113.5", ForwardedHeaders.clientIp("10.0.0.2", true, List.of("1.1.1.1, 203.0.113.5"), lbs),
                "entries left of the client's are forgeable");
        assertEquals("203.0.113.5", ForwardedHeaders.clientIp("10.0.0.2", true,
                List.of("1.1.1.1, 203.0.113.5", "10.0.0.9"), lbs), "two LB hops, two header lines");
        assertEquals("10.0.0.3", ForwardedHeaders.clientIp("10.0.0.2", true, List.of("10.0.0.3"), lbs),
                "all trusted: the left-most");
        assertEquals("10.0.0.2", ForwardedHeaders.clientIp("10.0.0.2", true, List.of(), lbs));
        assertEquals("10.0.0.9", ForwardedHeaders.clientIp("10.0.0.2", true, List.of("1.1.1.1, junk, 10.0.0.9"), lbs),
                "a malformed entry stops at the last good hop");
        assertEquals("2001:db8:0:0:0:0:0:5", ForwardedHeaders.clientIp("10.0.0.2", true, List.of("[2001:db8::5]"), lbs));
    }

    @Test
    void dropsForwardedHeadersByTrust() {
        for (String n : new String[] {"X-Forwarded-For", "x-forwarded-proto", "X-FORWARDED-HOST", "X-Forwarded-Port",
                "forwarded"}) {
            assertTrue(ForwardedHeaders.dropped(n, true), n + ": rebuilt");
            assertTrue(ForwardedHeaders.dropped(n, false), n + ": rebuilt");
        }
        assertTrue(ForwardedHeaders.dropped("X-Forwarded-Prefix", false));
        assertTrue(ForwardedHeaders.dropped("X-Real-IP", false));
        assertFalse(ForwardedHeaders.dropped("X-Forwarded-Prefix", true), "an LB's other headers pass");
        assertFalse(ForwardedHeaders.dropped("X-Real-IP", true));
        assertFalse(ForwardedHeaders.dropped("X-Api-Key", false));
    }
}
