package dev.loomgate.gateway.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Key naming for Redis Cluster. A cluster runs a script or MULTI only when every key it touches is in one hash slot,
 * and Redis hashes only the part between the first {@code {}} and the next {@code }} when there is one. So every key
 * family that a script touches together is named {@code prefix:{tag}:rest}, with the same tag (for example a session
 * id or a cache key's hash). Standalone and Sentinel ignore tags, so the same names work everywhere.
 */
public final class RedisKeys {
    private RedisKeys() {
    }

    /**
     * {@code {value}}, ready to put in a key. A value that itself holds a brace (which would end or move the tag) or
     * is empty (Redis ignores {@code {}}) is replaced by the hex SHA-256 of its text, which is brace-free and stable.
     */
    public static String hashTag(String value) {
        if (value.isEmpty() || value.indexOf('{') >= 0 || value.indexOf('}') >= 0) {
            return "{" + sha256Hex(value) + "}";
        }
        return "{" + value + "}";
    }

    /** The hex SHA-256 of the UTF-8 text. */
    public static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
