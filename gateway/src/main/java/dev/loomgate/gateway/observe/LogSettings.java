package dev.loomgate.gateway.observe;

import java.util.Locale;
import java.util.Objects;

/**
 * Where and how the node's application log (java.util.logging) is written: {@code logging:} in gateway.yaml.
 *
 * @param format {@link Format#TEXT} (one human line) or {@link Format#JSON} (one JSON object per line, for shipping)
 * @param file   {@code stderr} or a file path (appended; rotate with copytruncate or by restarting the node)
 */
public record LogSettings(Format format, String file) {
    public static final String STDERR = "stderr";
    public static final Format DEFAULT_FORMAT = Format.TEXT;
    public static final String DEFAULT_FILE = STDERR;

    /** The line format of the application log. */
    public enum Format {
        TEXT, JSON;

        /** {@code text} or {@code json}. */
        public static Format parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "text" -> TEXT;
                case "json" -> JSON;
                default -> throw new IllegalArgumentException("expected text or json, got '" + s + "'");
            };
        }

        /** The config spelling. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public LogSettings {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(file, "file");
    }

    /** Text lines on stderr (the JVM's own default, with one line per record). */
    public static LogSettings defaults() {
        return new LogSettings(DEFAULT_FORMAT, DEFAULT_FILE);
    }
}
