package dev.loomgate.gateway.cache;

import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The {@code Cache-Control} directives of a request or response (RFC 9111 section 5.2), parsed directive by directive
 * and safe on garbage: unknown directives are ignored, at most {@link #MAX_DIRECTIVES} are looked at, a delta-seconds
 * that is not a number counts as 0 (stale, never "fresh forever"), and a huge one is capped at 2^31 seconds.
 */
public record CacheControl(boolean noStore, boolean noCache, boolean isPrivate, boolean isPublic,
                           boolean mustRevalidate, boolean proxyRevalidate, OptionalLong maxAge, OptionalLong sMaxAge,
                           OptionalLong staleWhileRevalidate, OptionalLong staleIfError, boolean onlyIfCached) {
    /** Directives looked at per message; the rest of a hostile header is ignored. */
    public static final int MAX_DIRECTIVES = 64;
    /** Characters of all values looked at. */
    public static final int MAX_LENGTH = 8 * 1024;
    /** RFC 9111 5.2: a cache that cannot represent a larger delta uses 2^31. */
    public static final long MAX_DELTA = 2_147_483_648L;

    public static final CacheControl NONE = new CacheControl(false, false, false, false, false, false,
            OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), false);

    /** Parses all values of the header (a message may carry several). Never throws. */
    public static CacheControl parse(List<String> values) {
        Builder b = new Builder();
        int seen = 0;
        int budget = MAX_LENGTH;
        for (String value : values) {
            String v = value.length() > budget ? value.substring(0, budget) : value;
            budget -= v.length();
            int i = 0;
            while (i < v.length() && seen < MAX_DIRECTIVES) {
                int end = nextComma(v, i);
                b.directive(v.substring(i, end));
                seen++;
                i = end + 1;
            }
            if (budget <= 0 || seen >= MAX_DIRECTIVES) {
                break;
            }
        }
        return b.build();
    }

    public static CacheControl parse(String value) {
        return parse(List.of(value));
    }

    /** The end of one directive: the next comma outside a quoted string. */
    private static int nextComma(String v, int from) {
        boolean quoted = false;
        for (int i = from; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted) {
                i++;
            } else if (c == ',' && !quoted) {
                return i;
            }
        }
        return v.length();
    }

    /** delta-seconds (RFC 9111 1.2.2): digits only; anything else is 0, too large is {@link #MAX_DELTA}. */
    static long delta(String raw) {
        String s = raw.strip();
        if (s.length() >= 2 && s.charAt(0) == '"' && s.charAt(s.length() - 1) == '"') {
            s = s.substring(1, s.length() - 1); // tolerated by most caches, though not in the grammar
        }
        if (s.isEmpty()) {
            return 0;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return 0;
            }
            n = n * 10 + (c - '0');
            if (n >= MAX_DELTA) {
                return MAX_DELTA;
            }
        }
        return n;
    }

    private static final class Builder {
        boolean noStore;
        boolean noCache;
        boolean isPrivate;
        boolean isPublic;
        boolean mustRevalidate;
        boolean proxyRevalidate;
        boolean onlyIfCached;
        OptionalLong maxAge = OptionalLong.empty();
        OptionalLong sMaxAge = OptionalLong.empty();
        OptionalLong swr = OptionalLong.empty();
        OptionalLong sie = OptionalLong.empty();

        void directive(String raw) {
            String d = raw.strip();
            if (d.isEmpty()) {
                return;
            }
            int eq = d.indexOf('=');
            String name = (eq < 0 ? d : d.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
            String arg = eq < 0 ? "" : d.substring(eq + 1);
            switch (name) {
                case "no-store" -> noStore = true;
                // a qualified no-cache="Set-Cookie" / private="x" (field names) is treated like the unqualified form:
                // stricter, never wrong for a shared cache
                case "no-cache" -> noCache = true;
                case "private" -> isPrivate = true;
                case "public" -> isPublic = true;
                case "must-revalidate" -> mustRevalidate = true;
                case "proxy-revalidate" -> proxyRevalidate = true;
                case "only-if-cached" -> onlyIfCached = true;
                // the first occurrence wins; a duplicate with another value is an error the RFC lets us resolve
                // by taking the smaller lifetime
                case "max-age" -> maxAge = min(maxAge, eq < 0 ? 0 : delta(arg));
                case "s-maxage" -> sMaxAge = min(sMaxAge, eq < 0 ? 0 : delta(arg));
                case "stale-while-revalidate" -> swr = min(swr, eq < 0 ? 0 : delta(arg));
                case "stale-if-error" -> sie = min(sie, eq < 0 ? 0 : delta(arg));
                default -> {
                    // unknown or extension directive: ignored (RFC 9111 5.2.3)
                }
            }
        }

        private static OptionalLong min(OptionalLong current, long value) {
            return current.isPresent() ? OptionalLong.of(Math.min(current.getAsLong(), value)) : OptionalLong.of(value);
        }

        CacheControl build() {
            return new CacheControl(noStore, noCache, isPrivate, isPublic, mustRevalidate, proxyRevalidate, maxAge,
                    sMaxAge, swr, sie, onlyIfCached);
        }
    }
}
