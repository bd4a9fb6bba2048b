package dev.loomgate.gateway.proxy;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Hop-by-hop headers (RFC 9110 §7.6.1): meaningful for one connection only, never forwarded. */
final class HopByHop {
    private static final Set<String> ALWAYS = Set.of(
            "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade");

    private HopByHop() {
    }

    /** Header names listed in Connection headers, lower-case. */
    static Set<String> connectionTokens(List<String> connectionValues) {
        if (connectionValues.isEmpty()) {
            return Set.of();
        }
        Set<String> tokens = new HashSet<>();
        for (String v : connectionValues) {
            for (String t : v.split(",")) {
                String token = t.trim().toLowerCase(Locale.ROOT);
                if (!token.isEmpty()) {
                    tokens.add(token);
                }
            }
        }
        return tokens;
    }

    /** True for hop-by-hop headers, Proxy-* headers and headers named by Connection. */
    static boolean isHopByHop(String name, Set<String> connectionTokens) {
        int len = name.length();
        if (len >= 2 && len <= 17) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (ALWAYS.contains(lower) || lower.startsWith("proxy-")) {
                return true;
            }
        } else if (len > 6 && name.regionMatches(true, 0, "proxy-", 0, 6)) {
            return true;
        }
        return !connectionTokens.isEmpty() && connectionTokens.contains(name.toLowerCase(Locale.ROOT));
    }
}
