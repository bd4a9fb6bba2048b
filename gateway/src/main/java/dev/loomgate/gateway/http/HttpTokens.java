package dev.loomgate.gateway.http;

import java.util.Locale;
import java.util.Set;

/** RFC 9110 token rules and the headers a route may not touch. */
public final class HttpTokens {
    /** Hop-by-hop headers and those the proxy owns; {@code Proxy-*} is matched by prefix. */
    private static final Set<String> PROTECTED = Set.of(
            "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host", "content-length");

    private HttpTokens() {
    }

    public static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Whether route header ops may not set, add or remove this header. */
    public static boolean isProtectedHeader(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return PROTECTED.contains(n) || n.startsWith("proxy-");
    }

    /** A header value may not hold CR, LF or NUL (header injection). */
    public static boolean isValidHeaderValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                return false;
            }
        }
        return true;
    }
}
