package dev.loomgate.gateway.units;

import java.time.Duration;
import java.util.Locale;

/**
 * The one grammar of durations and sizes in configuration (gateway.yaml, routes, Consul KV, the admin
 * API), and their canonical spelling for docs and messages. A bottom package so every parser can use it
 * without a package cycle.
 *
 * <ul>
 *   <li>Duration: an integer and a unit {@code ms}, {@code s}, {@code m} or {@code h}: {@code 250ms},
 *       {@code 5s}, {@code 1m}, {@code 1h}. A {@link #period} (a rate-limit window) also takes {@code d}.</li>
 *   <li>Size: a number of bytes, or an integer with {@code B}, {@code KB}/{@code KiB}/{@code K},
 *       {@code MB}/{@code MiB}/{@code M}, {@code GB}/{@code GiB}/{@code G}, all powers of 1024:
 *       {@code 64KiB}, {@code 1MiB}, {@code 100MB}.</li>
 * </ul>
 * Case, blanks before the unit and {@code _} digit separators are ignored. Errors are
 * {@link IllegalArgumentException}s whose message is a reason fit for {@code file:line: path: reason}.
 */
public final class Units {
    private static final String DURATION_HINT = "expected a duration such as 250ms, 2s, 1m or 1h";
    private static final String SIZE_HINT = "expected a size such as 16384, 64KiB or 100MB";

    private Units() {
    }

    /** A duration with unit ms, s, m or h; never negative. */
    public static Duration duration(String text) {
        return parseDuration(text, false);
    }

    /** A duration that may also be given in days ({@code 1d}): the period of a rate limit. */
    public static Duration period(String text) {
        return parseDuration(text, true);
    }

    /** Bytes: a plain number, or with a unit (powers of 1024). */
    public static long size(String text) {
        String s = text.strip().toUpperCase(Locale.ROOT).replace("_", "");
        int digits = leadingDigits(s);
        if (digits == 0) {
            throw new IllegalArgumentException(SIZE_HINT + "; '" + text + "' is not a size");
        }
        long n = number(s.substring(0, digits), text);
        long unit = switch (s.substring(digits).strip()) {
            case "", "B" -> 1L;
            case "K", "KB", "KIB" -> 1L << 10;
            case "M", "MB", "MIB" -> 1L << 20;
            case "G", "GB", "GIB" -> 1L << 30;
            default -> throw new IllegalArgumentException(SIZE_HINT + "; '" + text + "' is not a size");
        };
        try {
            return Math.multiplyExact(n, unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
    }

    /** The shortest exact spelling this grammar reads back: {@code 250ms}, {@code 4s}, {@code 1m}, {@code 1h}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms != 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms != 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }

    /** {@code 64KiB}, {@code 1MiB}, {@code 100MiB} when whole, else the number of bytes. */
    public static String formatSize(long bytes) {
        if (bytes != 0 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "GiB";
        }
        if (bytes != 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "MiB";
        }
        if (bytes != 0 && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + "KiB";
        }
        return Long.toString(bytes);
    }

    private static Duration parseDuration(String text, boolean days) {
        String s = text.strip().toLowerCase(Locale.ROOT).replace("_", "");
        if (s.startsWith("-")) {
            throw new IllegalArgumentException("must not be negative: '" + text + "'");
        }
        int digits = leadingDigits(s);
        String unit = s.substring(digits).strip();
        if (digits == 0 || unit.isEmpty()) {
            throw new IllegalArgumentException(DURATION_HINT + "; '" + text + "' is not a duration");
        }
        long n = number(s.substring(0, digits), text);
        try {
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> {
                    if (!days) {
                        throw new IllegalArgumentException(DURATION_HINT + " (days only for a rate-limit period); '"
                                + text + "' is not a duration");
                    }
                    yield Duration.ofDays(n);
                }
                default -> throw new IllegalArgumentException(DURATION_HINT + "; '" + text + "' is not a duration");
            };
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
    }

    private static int leadingDigits(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i;
    }

    private static long number(String digits, String text) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
    }
}
