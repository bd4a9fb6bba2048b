package dev.loomgate.gateway.policy.session;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The session cookie's signing keys: one primary (signs every cookie this node issues) and fallbacks (still accepted).
 * The cookie names the key that signed it, so rotating the secret is: add the new key as a fallback on every node,
 * make it primary, and drop the old one after the longest session lifetime; nobody is logged out, and during each
 * step's rollout nodes accept each other's cookies.
 *
 * <p>Cookie value: {@code v1.<key id>.<session id>.<signature>}, the session id 32 random bytes and the signature
 * HMAC-SHA256 over {@code v1.<key id>.<session id>}, both base64url without padding. Anything else (tampered,
 * truncated, signed with an unknown key, oversized) verifies as empty: no session, never an error.
 */
public final class SessionKeyring {
    /** Longer cookie values are refused before any parsing. */
    public static final int MAX_COOKIE_LENGTH = 256;
    static final int ID_BYTES = 32;
    private static final int ID_CHARS = 43;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    /** A key id and its secret. */
    public record Key(String id, byte[] secret) {
        public Key {
            Objects.requireNonNull(id, "id");
            if (!id.matches("[A-Za-z0-9_-]{1,32}")) {
                throw new IllegalArgumentException("key id must be 1-32 of A-Z a-z 0-9 _ -, got '" + id + "'");
            }
            secret = secret.clone();
        }

        @Override
        public String toString() {
            return "Key[" + id + "]";
        }
    }

    /** A cookie that verified: the session id and whether the key that signed it is this node's primary. */
    public record Verified(String sessionId, boolean byPrimary) {
    }

    private final Key primary;
    private final Map<String, SecretKeySpec> keys;
    /** An initialised Mac per key id, cloned per use: cheaper than a provider lookup and init each time. */
    private final Map<String, Mac> prototypes;

    /** @param primary signs; {@code fallbacks} only verify */
    public SessionKeyring(Key primary, java.util.List<Key> fallbacks) {
        this.primary = Objects.requireNonNull(primary, "primary");
        Map<String, SecretKeySpec> all = new LinkedHashMap<>();
        all.put(primary.id(), new SecretKeySpec(primary.secret(), "HmacSHA256"));
        for (Key k : fallbacks) {
            if (all.putIfAbsent(k.id(), new SecretKeySpec(k.secret(), "HmacSHA256")) != null) {
                throw new IllegalArgumentException("key id '" + k.id() + "' is in the keyring twice");
            }
        }
        this.keys = Map.copyOf(all);
        Map<String, Mac> macs = new LinkedHashMap<>();
        all.forEach((id, key) -> macs.put(id, init(key)));
        this.prototypes = Map.copyOf(macs);
    }

    private static Mac init(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is required by every JVM", e);
        }
    }

    public String primaryId() {
        return primary.id();
    }

    /** A new random session id (256 bits, base64url). */
    public static String newSessionId() {
        byte[] b = new byte[ID_BYTES];
        RANDOM.nextBytes(b);
        return B64.encodeToString(b);
    }

    /** The cookie value for a session id, signed with the primary key. */
    public String sign(String sessionId) {
        String payload = "v1." + primary.id() + "." + sessionId;
        return payload + "." + B64.encodeToString(mac(primary.id(), payload));
    }

    /** The session id of a cookie value this keyring signed (with any of its keys); empty for anything else. */
    public Optional<Verified> verify(String cookie) {
        if (cookie.length() > MAX_COOKIE_LENGTH || !cookie.startsWith("v1.")) {
            return Optional.empty();
        }
        int kidEnd = cookie.indexOf('.', 3);
        int idEnd = kidEnd < 0 ? -1 : cookie.indexOf('.', kidEnd + 1);
        if (idEnd < 0 || cookie.indexOf('.', idEnd + 1) >= 0 || idEnd - kidEnd - 1 != ID_CHARS) {
            return Optional.empty();
        }
        String kid = cookie.substring(3, kidEnd);
        String id = cookie.substring(kidEnd + 1, idEnd);
        if (!keys.containsKey(kid) || !base64url(id)) {
            return Optional.empty();
        }
        // compared as text: only the one canonical encoding passes (a decoder ignores a last character's spare bits)
        byte[] presented = cookie.substring(idEnd + 1).getBytes(StandardCharsets.US_ASCII);
        byte[] expected = B64.encode(mac(kid, cookie.substring(0, idEnd)));
        return MessageDigest.isEqual(expected, presented)
                ? Optional.of(new Verified(id, kid.equals(primary.id()))) : Optional.empty();
    }

    private static boolean base64url(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    private byte[] mac(String kid, String payload) {
        Mac mac;
        try {
            mac = (Mac) prototypes.get(kid).clone();
        } catch (CloneNotSupportedException e) {
            mac = init(keys.get(kid)); // a provider whose Mac cannot be cloned
        }
        return mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return "SessionKeyring[primary=" + primary.id() + ", keys=" + keys.keySet() + "]";
    }
}
