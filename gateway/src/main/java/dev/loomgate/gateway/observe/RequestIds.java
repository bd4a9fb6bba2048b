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
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] out = new char[32];
        long a = r.nextLong();
        long b = r.nextLong();
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xf];
            out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xf];
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
