package dev.loomgate.gateway.proxy;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Hop-by-hop headers (RFC 9110 §7.6.1): meaningful for one connection only, never forwarded. */
final class HopByHop {
    private HopByHop() {
    }

    /**
     * End-to-end fields the proxy itself relies on: a Connection token naming one of them is ignored
     * (RFC 9110 §7.6.1 lets a proxy refuse), else {@code Connection: keep-alive, Host} would strip the
     * Host routing used, or a framing field.
     */
    private static final Set<String> PROTECTED = Set.of("host", "content-length", "transfer-encoding",
            "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "forwarded",
            "x-request-id", "traceparent", "tracestate", "content-type", "authorization", "cookie");

    /** Header names listed in Connection headers, lower-case, without the protected end-to-end ones. */
    static Set<String> connectionTokens(List<String> connectionValues) {
        if (connectionValues.isEmpty()) {
            return Set.of();
        }
        Set<String> tokens = new HashSet<>();
        for (String v : connectionValues) {
            for (String t : v.split(",")) {
                String token = t.trim().toLowerCase(Locale.ROOT);
                if (!token.isEmpty() && !PROTECTED.contains(token)) {
                    tokens.add(token);
                }
            }
        }
        return tokens;
    }

    /** True for hop-by-hop headers, Proxy-* headers and headers named by Connection. */
    static boolean isHopByHop(String name, Set<String> connectionTokens) {
        // called for every header of every request and response: compare without allocating
        boolean fixed = switch (name.length()) {
            case 2 -> name.equalsIgnoreCase("te");
            case 7 -> name.equalsIgnoreCase("trailer") || name.equalsIgnoreCase("upgrade");
            case 10 -> name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
            case 17 -> name.equalsIgnoreCase("transfer-encoding");
            default -> false;
        };
        if (fixed || (name.length() > 6 && name.regionMatches(true, 0, "proxy-", 0, 6))) {
            return true;
        }
        return !connectionTokens.isEmpty() && connectionTokens.contains(name.toLowerCase(Locale.ROOT));
    }
}
