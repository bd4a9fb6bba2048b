package dev.loomgate.gateway.observe;

import java.util.concurrent.ThreadLocalRandom;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;

/** Request ids: an incoming well-formed X-Request-Id is kept, otherwise 32 random hex digits. */
public final class RequestIds {
    public static final String HEADER = "X-Request-Id";
    public static final HeaderName HEADER_NAME = HeaderNames.create(HEADER);
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    public static String fromOrNew(String incoming) {
        return incoming != null && acceptable(incoming) ? incoming : generate();
    }

    public static String generate() {
        return randomHex(32);
    }

    /** {@code digits} random lower-case hex digits (at most 32), never all zero. */
    public static String randomHex(int digits) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] out = new char[digits];
        long a;
        long b;
        do {
            a = r.nextLong();
            b = r.nextLong();
        } while (a == 0 && b == 0); // W3C trace and span ids must not be all zero
        for (int i = 0; i < digits; i++) {
            long word = i < 16 ? a : b;
            out[i] = HEX[(int) (word >>> (60 - 4 * (i & 15))) & 0xf];
        }
        if (digits <= 16 && a == 0) {
            out[digits - 1] = '1';
        }
        return new String(out);
    }

    /** Visible ASCII without quotes or spaces, at most 128 chars: safe to log and echo. */
    static boolean acceptable(String id) {
        if (id.isEmpty() || id.length() > 128) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }
}
