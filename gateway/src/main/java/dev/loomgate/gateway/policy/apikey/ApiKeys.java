package dev.loomgate.gateway.policy.apikey;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The API key format and its hash, shared by the filter and {@code loomgate api-key}. A key is
 * {@code lgk_<id>_<secret>}: the id (8 lower-case letters and digits) finds the stored entry without a scan and
 * may appear in logs; the secret (32 random bytes, base64url) is never stored: the routes file holds
 * HMAC-SHA256(pepper, key) (or, without a pepper, SHA-256(key)) in hex.
 */
public final class ApiKeys {
    public static final String PREFIX = "lgk_";
    private static final Pattern FORMAT = Pattern.compile("lgk_([a-z0-9]{8})_([A-Za-z0-9_-]{43})");
    private static final char[] ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** How stored hashes are made. */
    public enum HashMethod {
        /** HMAC-SHA256 keyed with a server-side pepper: a leaked routes file alone does not allow offline guessing. */
        HMAC_SHA256("hmac-sha256"),
        /** Plain SHA-256: the keys are 256-bit random, so guessing is hopeless even without a pepper. */
        SHA256("sha256");

        private final String configName;

        HashMethod(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        public static Optional<HashMethod> of(String name) {
            for (HashMethod m : values()) {
                if (m.configName.equals(name)) {
                    return Optional.of(m);
                }
            }
            return Optional.empty();
        }
    }

    private ApiKeys() {
    }

    /** A new random key. */
    public static String generate() {
        StringBuilder id = new StringBuilder(8);
        for (int i = 0; i < 8; i++) {
            id.append(ID_CHARS[RANDOM.nextInt(ID_CHARS.length)]);
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return PREFIX + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /** The key's id when the text has the key format; empty otherwise. */
    public static Optional<String> id(String key) {
        Matcher m = FORMAT.matcher(key);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /**
     * The stored form of a key.
     *
     * @param pepper the server-side secret for {@link HashMethod#HMAC_SHA256}; ignored for SHA-256
     */
    public static byte[] hash(String key, HashMethod method, byte[] pepper) {
        byte[] input = key.getBytes(StandardCharsets.UTF_8);
        try {
            if (method == HashMethod.SHA256) {
                return MessageDigest.getInstance("SHA-256").digest(input);
            }
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(pepper, "HmacSHA256"));
            return mac.doFinal(input);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("SHA-256 and HmacSHA256 are part of every JDK", e);
        }
    }

    public static String hex(byte[] hash) {
        return HexFormat.of().formatHex(hash);
    }
}
