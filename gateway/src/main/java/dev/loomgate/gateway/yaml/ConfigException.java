package dev.loomgate.gateway.yaml;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * A configuration document that cannot be used, with where and why:
 * {@code routes.yaml:12: routes[0].match.path: must start with '/'}.
 */
public final class ConfigException extends Exception {
    private final String source;
    private final int line;
    private final String field;
    private final String reason;

    /**
     * @param source the file or document name, e.g. {@code routes.yaml}
     * @param line   1-based line, or {@code 0} when unknown
     * @param field  the field path, e.g. {@code routes[0].match.path}; empty for the whole document
     * @param reason what is wrong
     */
    public ConfigException(String source, int line, String field, String reason) {
        this(source, line, field, reason, null);
    }

    public ConfigException(String source, int line, String field, String reason, Throwable cause) {
        super(format(source, line, field, reason), cause);
        this.source = Objects.requireNonNull(source, "source");
        this.line = Math.max(line, 0);
        this.field = Objects.requireNonNull(field, "field");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public String source() {
        return source;
    }

    /** 1-based line in the source, when known. */
    public OptionalInt line() {
        return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
    }

    /** Field path such as {@code upstreams[1].endpoints[0]}; empty when the error is about the whole document. */
    public String field() {
        return field;
    }

    public String reason() {
        return reason;
    }

    private static String format(String source, int line, String field, String reason) {
        StringBuilder sb = new StringBuilder(source);
        if (line > 0) {
            sb.append(':').append(line);
        }
        sb.append(": ");
        if (!field.isEmpty()) {
            sb.append(field).append(": ");
        }
        return sb.append(reason).toString();
    }
}
