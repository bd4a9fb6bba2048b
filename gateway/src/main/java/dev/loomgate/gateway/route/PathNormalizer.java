package dev.loomgate.gateway.route;

/**
 * Normalizes the raw path of a request target before routing, so that the route we match, the
 * policies we apply and the path the upstream receives are the same string (docs/SECURITY.md, "Paths").
 * <ul>
 *   <li>bytes outside RFC 3986 {@code pchar} and {@code /} are rejected, never replaced;</li>
 *   <li>malformed percent-encoding ({@code %zz}, {@code %4}) is rejected;</li>
 *   <li>percent-encoded unreserved characters are decoded ({@code %41} to {@code A}, {@code %2E} to
 *       {@code .}); other encodings keep their meaning with upper-case hex ({@code %2f} to {@code %2F}:
 *       an encoded slash never becomes a separator);</li>
 *   <li>dot segments are removed (RFC 3986 §5.2.4) after that decoding, so {@code /a/%2e%2e/b} is {@code /b},
 *       as Envoy's {@code normalize_path} does;</li>
 *   <li>a path that climbs above the root ({@code /..}, {@code /a/../..}) is rejected, as nginx does: no
 *       client that builds paths from URLs sends one;</li>
 *   <li>optionally, consecutive slashes are merged (Envoy {@code merge_slashes}, nginx {@code merge_slashes}).</li>
 * </ul>
 * Pure and allocation-free for a path that needs no change (the common case); no regex.
 */
public final class PathNormalizer {
    /** What normalizing a path gave. */
    public sealed interface Result permits Normalized, Rejected {
    }

    /** The path to route and forward. */
    public record Normalized(String path) implements Result {
    }

    /** The path is refused with 400; the reason is safe to show (no raw client bytes). */
    public record Rejected(String reason) implements Result {
    }

    private static final boolean[] PCHAR = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            PCHAR[c] = true;
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            PCHAR[c] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            PCHAR[c] = true;
        }
        for (char c : "-._~!$&'()*+,;=:@/".toCharArray()) {
            PCHAR[c] = true;
        }
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final PathNormalizer MERGING = new PathNormalizer(true);
    private static final PathNormalizer KEEPING = new PathNormalizer(false);

    private final boolean mergeSlashes;

    private PathNormalizer(boolean mergeSlashes) {
        this.mergeSlashes = mergeSlashes;
    }

    /** @param mergeSlashes whether {@code //} becomes {@code /} */
    public static PathNormalizer create(boolean mergeSlashes) {
        return mergeSlashes ? MERGING : KEEPING;
    }

    public boolean mergeSlashes() {
        return mergeSlashes;
    }

    /** @param rawPath the path of the request target as received (no query, still encoded) */
    public Result normalize(String rawPath) {
        int n = rawPath.length();
        if (n == 0 || rawPath.charAt(0) != '/') {
            return new Rejected("the request path must start with '/'");
        }
        // fast scan: valid bytes, and whether anything needs rewriting
        boolean rewrite = false;
        for (int i = 0; i < n; i++) {
            char c = rawPath.charAt(i);
            if (c >= 128 || !PCHAR[c]) {
                if (c != '%') {
                    return new Rejected("the request path holds a character RFC 3986 does not allow in a path"
                            + " (byte 0x" + Integer.toHexString(c) + " at " + i + "); percent-encode it");
                }
                if (i + 2 >= n || hex(rawPath.charAt(i + 1)) < 0 || hex(rawPath.charAt(i + 2)) < 0) {
                    return new Rejected("malformed percent-encoding in the request path at " + i
                            + " ('%' must be followed by two hex digits)");
                }
                rewrite = true;
            } else if (c == '/' && i + 1 < n) {
                char next = rawPath.charAt(i + 1);
                rewrite |= next == '.' || (next == '/' && mergeSlashes);
            }
        }
        return rewrite ? slow(rawPath) : new Normalized(rawPath);
    }

    private Result slow(String raw) {
        int n = raw.length();
        StringBuilder out = new StringBuilder(n);
        StringBuilder seg = new StringBuilder(16);
        int pos = 1; // after the leading '/'
        while (true) {
            int end = raw.indexOf('/', pos);
            boolean last = end < 0;
            if (last) {
                end = n;
            }
            seg.setLength(0);
            decodeSegment(raw, pos, end, seg);
            if (isDot(seg)) {
                if (last) {
                    out.append('/');
                }
            } else if (isDotDot(seg)) {
                int cut = out.lastIndexOf("/");
                if (cut < 0) {
                    return new Rejected("the request path climbs above the root ('..' past '/')");
                }
                out.setLength(cut);
                if (last) {
                    out.append('/');
                }
            } else if (seg.isEmpty() && mergeSlashes && !last) {
                // "//": drop the empty segment (a trailing "/" is kept: it is the empty last segment)
            } else {
                out.append('/').append(seg);
            }
            if (last) {
                break;
            }
            pos = end + 1;
        }
        return new Normalized(out.isEmpty() ? "/" : out.toString());
    }

    /** Decodes unreserved escapes; other escapes stay, with upper-case hex. Input is already validated. */
    private static void decodeSegment(String raw, int from, int to, StringBuilder seg) {
        for (int i = from; i < to; i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                seg.append(c);
                continue;
            }
            int v = hex(raw.charAt(i + 1)) << 4 | hex(raw.charAt(i + 2));
            if (isUnreserved(v)) {
                seg.append((char) v);
            } else {
                seg.append('%').append(HEX[v >> 4]).append(HEX[v & 0xf]);
            }
            i += 2;
        }
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    private static boolean isDot(CharSequence s) {
        return s.length() == 1 && s.charAt(0) == '.';
    }

    private static boolean isDotDot(CharSequence s) {
        return s.length() == 2 && s.charAt(0) == '.' && s.charAt(1) == '.';
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
