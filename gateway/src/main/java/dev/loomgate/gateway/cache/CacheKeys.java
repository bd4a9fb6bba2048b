package dev.loomgate.gateway.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Cache keys. Whatever the client sends (a 100 KB query string, 50 Vary values), a key is a fixed-size SHA-256, so
 * hostile input cannot grow L1 keys, Redis keys or pub/sub messages.
 */
public final class CacheKeys {
    static final String PREFIX = "lg:cache:";

    private CacheKeys() {
    }

    /** The primary key of a request: route, its purge generation, method, host, path and (per mode) the query. */
    public static String primary(String routeId, long generation, String method, String host, String path,
                                 String rawQuery, CacheSettings.QueryMode mode) {
        return sha256(raw(routeId, generation, method, host, path, rawQuery, mode));
    }

    /** The text the primary key hashes (L1 is keyed by it: an L1 hit needs no digest). */
    static String raw(String routeId, long generation, String method, String host, String path, String rawQuery,
                      CacheSettings.QueryMode mode) {
        String query = switch (mode) {
            case INCLUDE -> rawQuery;
            case IGNORE -> "";
            case SORTED -> sortedQuery(rawQuery);
        };
        return routeId + '\n' + generation + '\n' + method + '\n' + host.toLowerCase(Locale.ROOT) + '\n' + path
                + '\n' + query;
    }

    static String sortedQuery(String rawQuery) {
        if (rawQuery.isEmpty()) {
            return rawQuery;
        }
        String[] parts = rawQuery.split("&");
        Arrays.sort(parts);
        return String.join("&", parts);
    }

    /** The variant of a primary key: the values of the request headers its responses vary on. */
    public static String variant(String nonce, List<String> names, List<List<String>> values) {
        if (names.isEmpty()) {
            return nonce; // the common case: no Vary, nothing to hash
        }
        StringBuilder sb = new StringBuilder(nonce);
        for (int i = 0; i < names.size(); i++) {
            sb.append('\n').append(names.get(i)).append(':');
            for (String v : values.get(i)) {
                sb.append(v.strip()).append('\u0000');
            }
        }
        return sha256(sb.toString());
    }

    static String specKey(String primary) {
        return PREFIX + "s:" + primary;
    }

    static String variantKey(String primary, String variant) {
        return PREFIX + "v:" + primary + ":" + variant;
    }

    static String leaseKey(String primary) {
        return PREFIX + "l:" + primary;
    }

    static String generationKey(String routeId) {
        return PREFIX + "g:" + sha256(routeId).substring(0, 32);
    }

    static String tagKey(String tag) {
        return PREFIX + "t:" + sha256(tag).substring(0, 32);
    }

    static String sha256(String text) {
        return HexFormat.of().formatHex(digest().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** A clone of one prototype: cheaper than a provider lookup on every request (this runs on every cache hit). */
    private static MessageDigest digest() {
        try {
            return (MessageDigest) SHA256.clone();
        } catch (CloneNotSupportedException e) {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException impossible) {
                throw new IllegalStateException("every JVM has SHA-256", impossible);
            }
        }
    }

    private static final MessageDigest SHA256;

    static {
        try {
            SHA256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
