package dev.loomgate.gateway.route;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a route matches the raw request path: an exact path, a template
 * ({@code /users/{id}}, {@code /files/{rest...}}), a segment-aware prefix, or anything.
 * Immutable; matching a literal or prefix allocates nothing.
 */
public final class PathPattern {
    /** Kinds, in priority order (exact first). */
    public enum Kind { EXACT, TEMPLATE, PREFIX, ANY }

    private static final PathPattern ANY_PATH = new PathPattern(Kind.ANY, "", List.of(), false);

    private final Kind kind;
    private final String text;
    /** Template segments: a literal, or a variable name (when {@link #isVariable} says so). */
    private final List<Segment> segments;
    private final boolean catchAll;
    private final int literalSegments;
    private final int variables;
    private final List<String> variableNames;

    private record Segment(String literal, String variable) {
        boolean isVariable() {
            return variable != null;
        }
    }

    private PathPattern(Kind kind, String text, List<Segment> segments, boolean catchAll) {
        this.kind = kind;
        this.text = text;
        this.segments = List.copyOf(segments);
        this.catchAll = catchAll;
        int lit = 0;
        int vars = 0;
        for (Segment s : segments) {
            if (s.isVariable()) {
                vars++;
            } else {
                lit++;
            }
        }
        this.literalSegments = lit;
        this.variables = vars;
        List<String> names = new ArrayList<>();
        for (Segment s : segments) {
            if (s.isVariable()) {
                names.add(s.variable);
            }
        }
        this.variableNames = List.copyOf(names);
    }

    /** Matches every path. */
    public static PathPattern any() {
        return ANY_PATH;
    }

    /**
     * An exact path, or a template when it holds {@code {name}} segments.
     *
     * @throws IllegalArgumentException when the path does not start with '/' or the template is malformed
     */
    public static PathPattern path(String path) {
        requireAbsolute(path);
        if (path.indexOf('{') < 0 && path.indexOf('}') < 0) {
            return new PathPattern(Kind.EXACT, path, List.of(), false);
        }
        List<Segment> segments = new ArrayList<>();
        Set<String> names = new HashSet<>();
        String[] parts = path.substring(1).split("/", -1);
        boolean catchAll = false;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.indexOf('{') < 0 && p.indexOf('}') < 0) {
                segments.add(new Segment(p, null));
                continue;
            }
            if (!p.startsWith("{") || !p.endsWith("}") || p.indexOf('{', 1) >= 0 || p.indexOf('}') != p.length() - 1) {
                throw new IllegalArgumentException("bad template segment '" + p
                        + "': a variable must be a whole segment like {id}");
            }
            String name = p.substring(1, p.length() - 1);
            if (name.endsWith("...")) {
                if (i != parts.length - 1) {
                    throw new IllegalArgumentException("catch-all variable {" + name + "} must be the last segment");
                }
                name = name.substring(0, name.length() - 3);
                catchAll = true;
            }
            if (!isVariableName(name)) {
                throw new IllegalArgumentException("bad variable name '" + name
                        + "' (letters, digits and '_', not starting with a digit)");
            }
            if (!names.add(name)) {
                throw new IllegalArgumentException("variable {" + name + "} appears twice");
            }
            segments.add(new Segment(null, name));
        }
        return new PathPattern(Kind.TEMPLATE, path, segments, catchAll);
    }

    /**
     * A segment-aware prefix: {@code /users} matches {@code /users}, {@code /users/} and
     * {@code /users/1} but not {@code /usersx}. A trailing '/' is ignored ({@code /users/} = {@code /users}).
     */
    public static PathPattern prefix(String prefix) {
        requireAbsolute(prefix);
        if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
            throw new IllegalArgumentException("a prefix cannot hold template variables");
        }
        String p = prefix;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return new PathPattern(Kind.PREFIX, p, List.of(), false);
    }

    private static void requireAbsolute(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            throw new IllegalArgumentException("must start with '/'");
        }
        if (path.indexOf('?') >= 0 || path.indexOf('#') >= 0) {
            throw new IllegalArgumentException("must not contain '?' or '#'");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw new IllegalArgumentException("must not contain spaces or control characters");
            }
        }
    }

    static boolean isVariableName(String name) {
        if (name.isEmpty() || Character.isDigit(name.charAt(0))) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }

    public Kind kind() {
        return kind;
    }

    /** The path, template or (normalized) prefix as configured; empty for {@link Kind#ANY}. */
    public String text() {
        return text;
    }

    /** Template variable names in order (catch-all last); empty for other kinds. */
    public List<String> variableNames() {
        return variableNames;
    }

    public boolean hasCatchAll() {
        return catchAll;
    }

    int literalSegments() {
        return literalSegments;
    }

    int variableCount() {
        return variables;
    }

    /** Whether a plain (non-template) pattern matches; templates need {@link #matchTemplate}. */
    boolean matchesPlain(String path) {
        return switch (kind) {
            case ANY -> true;
            case EXACT -> text.equals(path);
            case PREFIX -> prefixMatches(text, path);
            case TEMPLATE -> throw new IllegalStateException("template");
        };
    }

    static boolean prefixMatches(String prefix, String path) {
        if (!path.startsWith(prefix)) {
            return false;
        }
        return path.length() == prefix.length() || prefix.length() == 1 || path.charAt(prefix.length()) == '/';
    }

    /**
     * Matches a template against a raw path.
     *
     * @return the raw (still encoded) variable values in {@link #variableNames()} order, or
     *         {@code null} when the path does not match (hot path: no Optional per attempt)
     */
    String[] matchTemplate(String path) {
        String[] values = variables == 0 ? NO_VALUES : new String[variables];
        int pos = 1; // after the leading '/'
        int v = 0;
        int n = segments.size();
        for (int i = 0; i < n; i++) {
            Segment seg = segments.get(i);
            if (seg.isVariable() && catchAll && i == n - 1) {
                // rest of the path, zero or more segments: "/files" and "/files/" give ""
                if (pos > path.length()) {
                    values[v] = "";
                } else if (holdsDotSegment(path, pos)) {
                    return null;
                } else {
                    values[v] = path.substring(pos);
                }
                return values;
            }
            if (pos > path.length()) {
                return null;
            }
            int end = path.indexOf('/', pos);
            if (end < 0) {
                end = path.length();
            }
            if (seg.isVariable()) {
                if (end == pos || isDotSegment(path, pos, end)) {
                    return null; // a variable is never empty, "." or ".." (plain or encoded)
                }
                values[v++] = path.substring(pos, end);
            } else if (end - pos != seg.literal.length() || !path.startsWith(seg.literal, pos)) {
                return null;
            }
            pos = end + 1;
        }
        return pos == path.length() + 1 ? values : null;
    }

    private static final String[] NO_VALUES = new String[0];

    /**
     * Whether {@code path[from,to)} is "." or "..", also as {@code %2e}: the proxy normalizes paths
     * first, but a template must not depend on that to refuse a climbing value.
     */
    static boolean isDotSegment(String path, int from, int to) {
        int dots = 0;
        int i = from;
        while (i < to) {
            if (path.charAt(i) == '.') {
                i++;
            } else if (i + 2 < to && path.charAt(i) == '%' && path.charAt(i + 1) == '2'
                    && (path.charAt(i + 2) == 'e' || path.charAt(i + 2) == 'E')) {
                i += 3;
            } else {
                return false;
            }
            if (++dots > 2) {
                return false;
            }
        }
        return dots > 0;
    }

    /** Whether any segment of {@code path} from {@code from} on is a dot segment. */
    private static boolean holdsDotSegment(String path, int from) {
        int pos = from;
        while (pos <= path.length()) {
            int end = path.indexOf('/', pos);
            if (end < 0) {
                end = path.length();
            }
            if (isDotSegment(path, pos, end)) {
                return true;
            }
            pos = end + 1;
        }
        return false;
    }

    /** Decoded variables by name, for {@link RouteMatch#pathVariables()}. */
    Map<String, String> decodedVariables(String[] rawValues) {
        if (rawValues.length == 0) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>(rawValues.length * 2);
        int v = 0;
        for (Segment s : segments) {
            if (s.isVariable()) {
                out.put(s.variable, percentDecode(rawValues[v++]));
            }
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    static String percentDecode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        try {
            // URLDecoder would turn '+' into a space, which is wrong for a path
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw; // malformed escape: keep it as sent
        }
    }

    @Override
    public String toString() {
        return kind == Kind.ANY ? "any" : kind.name().toLowerCase(java.util.Locale.ROOT) + " " + text;
    }
}
