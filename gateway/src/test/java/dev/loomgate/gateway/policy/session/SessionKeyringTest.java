package dev.loomgate.gateway.policy.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Cookie signing: round trip, every kind of bad cookie, and key rotation across nodes. */
class SessionKeyringTest {
    private static final SessionKeyring.Key K1 = key("k1", "first-secret-of-at-least-32-chars!!");
    private static final SessionKeyring.Key K2 = key("k2", "second-secret-of-at-least-32-chars!");

    private static SessionKeyring.Key key(String id, String secret) {
        return new SessionKeyring.Key(id, secret.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void signedCookieVerifiesToItsId() {
        SessionKeyring ring = new SessionKeyring(K1, List.of());
        String id = SessionKeyring.newSessionId();
        String cookie = ring.sign(id);
        assertTrue(cookie.startsWith("v1.k1." + id + "."), cookie);
        assertEquals(Optional.of(new SessionKeyring.Verified(id, true)), ring.verify(cookie));
        assertEquals(43, id.length());
        assertNotEquals(id, SessionKeyring.newSessionId());
    }

    @Test
    void everyAlteredCharacterIsRefused() {
        SessionKeyring ring = new SessionKeyring(K1, List.of());
        String cookie = ring.sign(SessionKeyring.newSessionId());
        for (int i = 0; i < cookie.length(); i++) {
            char c = cookie.charAt(i);
            String tampered = cookie.substring(0, i) + (c == 'A' ? 'B' : 'A') + cookie.substring(i + 1);
            assertEquals(Optional.empty(), ring.verify(tampered), "changed at " + i + ": " + tampered);
        }
    }

    @Test
    void onlyTheCanonicalSignatureTextPasses() {
        SessionKeyring ring = new SessionKeyring(K1, List.of());
        for (int n = 0; n < 50; n++) {
            String cookie = ring.sign(SessionKeyring.newSessionId());
            char last = cookie.charAt(cookie.length() - 1);
            // base64url's last character of 32 bytes carries 2 spare bits: every other value must be refused too
            for (char c : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray()) {
                if (c != last) {
                    String other = cookie.substring(0, cookie.length() - 1) + c;
                    assertEquals(Optional.empty(), ring.verify(other), other);
                }
            }
        }
    }

    @Test
    void truncatedOversizedAndGarbageAreRefused() {
        SessionKeyring ring = new SessionKeyring(K1, List.of());
        String cookie = ring.sign(SessionKeyring.newSessionId());
        for (int len = 0; len < cookie.length(); len++) {
            assertEquals(Optional.empty(), ring.verify(cookie.substring(0, len)), "truncated to " + len);
        }
        assertEquals(Optional.empty(), ring.verify(cookie + "A"));
        assertEquals(Optional.empty(), ring.verify(cookie + "." + cookie));
        assertEquals(Optional.empty(), ring.verify("x".repeat(100_000)));
        assertEquals(Optional.empty(), ring.verify(cookie.replace("v1.", "v2.")));
        assertEquals(Optional.empty(), ring.verify("v1.k1." + "%".repeat(43) + ".AAAA"));
        assertEquals(Optional.empty(), ring.verify("v1.k1.." ));
        assertEquals(Optional.empty(), ring.verify("v1...."));
    }

    @Test
    void aCookieSignedWithAForeignKeyIsRefused() {
        SessionKeyring mine = new SessionKeyring(K1, List.of());
        // same key id, another secret: an attacker's own "k1"
        SessionKeyring foreign = new SessionKeyring(key("k1", "an-attackers-secret-of-32-chars!!!!"), List.of());
        assertEquals(Optional.empty(), mine.verify(foreign.sign(SessionKeyring.newSessionId())));
        SessionKeyring other = new SessionKeyring(K2, List.of());
        assertEquals(Optional.empty(), mine.verify(other.sign(SessionKeyring.newSessionId())), "unknown key id");
    }

    @Test
    void rotationLogsNobodyOutAndHalfRolledOutNodesAgree() {
        String id = SessionKeyring.newSessionId();
        SessionKeyring before = new SessionKeyring(K1, List.of());
        String oldCookie = before.sign(id);
        // step 1: the new key as a fallback everywhere; step 2: primary; nodes mid-rollout hold either ring
        SessionKeyring step1 = new SessionKeyring(K1, List.of(K2));
        SessionKeyring step2 = new SessionKeyring(K2, List.of(K1));
        assertEquals(Optional.of(new SessionKeyring.Verified(id, true)), step1.verify(oldCookie));
        assertEquals(Optional.of(new SessionKeyring.Verified(id, false)), step2.verify(oldCookie),
                "old cookies still accepted, flagged for re-signing");
        String newCookie = step2.sign(id);
        assertTrue(newCookie.startsWith("v1.k2."), newCookie);
        assertEquals(Optional.of(new SessionKeyring.Verified(id, false)), step1.verify(newCookie),
                "a node with the new key as fallback accepts a cookie signed with it as primary");
        // step 3: the old key dropped after the longest session lifetime
        SessionKeyring step3 = new SessionKeyring(K2, List.of());
        assertEquals(Optional.empty(), step3.verify(oldCookie));
        assertEquals(Optional.of(new SessionKeyring.Verified(id, true)), step3.verify(newCookie));
    }

    @Test
    void keyIdsAreCheckedAndUnique() {
        assertThrows(IllegalArgumentException.class, () -> key("has.dot", "x".repeat(40)));
        assertThrows(IllegalArgumentException.class, () -> new SessionKeyring(K1, List.of(key("k1", "y".repeat(40)))));
        assertFalse(new SessionKeyring(K1, List.of()).toString().contains("secret"));
    }
}
