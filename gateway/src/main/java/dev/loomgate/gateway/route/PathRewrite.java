package dev.loomgate.gateway.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a route changes the path sent upstream: keep it, strip the matched prefix, replace the
 * matched prefix, or build it from a template filled with the match's (raw) variables.
 */
public final class PathRewrite {
    public enum Kind { NONE, STRIP_PREFIX, REPLACE_PREFIX, TEMPLATE }

    private static final PathRewrite NONE = new PathRewrite(Kind.NONE, "", List.of(), List.of());

    private final Kind kind;
    private final String text;
    /** Template pieces: literals at even indexes, variable names at odd indexes. */
    private final List<String> pieces;
    private final List<String> variables;

    private PathRewrite(Kind kind, String text, List<String> pieces, List<String> variables) {
        this.kind = kind;
        this.text = text;
        this.pieces = List.copyOf(pieces);
        this.variables = List.copyOf(variables);
    }

    public static PathRewrite none() {
        return NONE;
    }

    /** {@code /users/1 -> /1}, {@code /users -> /}; needs a path-prefix match. */
    public static PathRewrite stripPrefix() {
        return new PathRewrite(Kind.STRIP_PREFIX, "", List.of(), List.of());
    }

    /** {@code /users/1 -> /v2/users/1}; needs a path-prefix match. */
    public static PathRewrite replacePrefix(String replacement) {
        if (replacement.isEmpty() || replacement.charAt(0) != '/') {
            throw new IllegalArgumentException("must start with '/'");
        }
        String r = replacement;
        while (r.length() > 1 && r.endsWith("/")) {
            r = r.substring(0, r.length() - 1);
        }
        return new PathRewrite(Kind.REPLACE_PREFIX, r, List.of(), List.of());
    }

    /**
     * A path such as {@code /internal/{id}}; each {@code {name}} (or {@code {name...}}) is
     * replaced by that variable's raw value. Needs a template match that defines the variables.
     */
    public static PathRewrite template(String template) {
        if (template.isEmpty() || template.charAt(0) != '/') {
            throw new IllegalArgumentException("must start with '/'");
        }
        List<String> pieces = new ArrayList<>();
        List<String> vars = new ArrayList<>();
        int pos = 0;
        while (true) {
            int open = template.indexOf('{', pos);
            int close = template.indexOf('}', pos);
            if (open < 0) {
                if (close >= 0) {
                    throw new IllegalArgumentException("unmatched '}' in '" + template + "'");
                }
                pieces.add(template.substring(pos));
                break;
            }
            if (close < open) {
                throw new IllegalArgumentException("unmatched '{' or '}' in '" + template + "'");
            }
            String name = template.substring(open + 1, close);
            if (name.endsWith("...")) {
                name = name.substring(0, name.length() - 3);
            }
            if (!PathPattern.isVariableName(name)) {
                throw new IllegalArgumentException("bad variable name '" + name + "' in '" + template + "'");
            }
            pieces.add(template.substring(pos, open));
            pieces.add(name);
            vars.add(name);
            pos = close + 1;
        }
        return new PathRewrite(Kind.TEMPLATE, template, pieces, vars);
    }

    /** @throws IllegalArgumentException when this rewrite cannot apply to paths matched by {@code path} */
    public void checkFits(PathPattern path) {
        switch (kind) {
            case STRIP_PREFIX, REPLACE_PREFIX -> {
                if (path.kind() != PathPattern.Kind.PREFIX) {
                    throw new IllegalArgumentException(this + " needs match.path-prefix");
                }
            }
            case TEMPLATE -> {
                if (path.kind() != PathPattern.Kind.TEMPLATE) {
                    throw new IllegalArgumentException("rewrite.path needs a match.path template with variables");
                }
                for (String v : variables) {
                    if (!path.variableNames().contains(v)) {
                        throw new IllegalArgumentException("rewrite.path uses {" + v
                                + "}, which match.path does not define (defined: " + path.variableNames() + ")");
                    }
                }
            }
            case NONE -> {
            }
        }
    }

    public Kind kind() {
        return kind;
    }

    /** The replacement prefix or the template; empty otherwise. */
    public String text() {
        return text;
    }

    /** Variables a template rewrite uses. */
    public List<String> variables() {
        return variables;
    }

    /**
     * @param rawPath   the request's raw path
     * @param pattern   the route's path pattern
     * @param rawValues raw template values in {@code pattern.variableNames()} order
     */
    String apply(String rawPath, PathPattern pattern, String[] rawValues) {
        switch (kind) {
            case NONE:
                return rawPath;
            case STRIP_PREFIX: {
                String rest = restAfterPrefix(rawPath, pattern);
                return rest.isEmpty() ? "/" : rest;
            }
            case REPLACE_PREFIX: {
                String rest = restAfterPrefix(rawPath, pattern);
                if (rest.isEmpty()) {
                    return text;
                }
                return text.equals("/") ? rest : text + rest;
            }
            default: {
                List<String> names = pattern.variableNames();
                StringBuilder sb = new StringBuilder(text.length() + 16);
                for (int i = 0; i < pieces.size(); i++) {
                    String piece = pieces.get(i);
                    if ((i & 1) == 0) {
                        sb.append(piece);
                    } else {
                        sb.append(rawValues[names.indexOf(piece)]);
                    }
                }
                return sb.toString();
            }
        }
    }

    private static String restAfterPrefix(String rawPath, PathPattern pattern) {
        String prefix = pattern.text();
        // prefix "/" keeps the whole path; otherwise the rest is "" or starts with '/'
        return prefix.length() == 1 ? rawPath : rawPath.substring(prefix.length());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PathRewrite r && r.kind == kind && r.text.equals(text);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, text);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NONE -> "none";
            case STRIP_PREFIX -> "strip-prefix";
            case REPLACE_PREFIX -> "replace-prefix " + text;
            case TEMPLATE -> "path " + text;
        };
    }
}
