package dev.loomgate.gateway.yaml;

import java.time.Duration;
import java.util.Locale;

/** Parsing of durations ({@code 250ms}, {@code 2s}, {@code 1m}, {@code 1h}) and sizes ({@code 512KB}, {@code 100MB}). */
public final class ConfigValues {
    private ConfigValues() {
    }

    /** @throws IllegalArgumentException with a reason fit for a config error */
    public static Duration duration(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == 0 || i == s.length()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (use e.g. 250ms, 2s, 1m, 1h)");
        }
        long n;
        try {
            n = Long.parseLong(s.substring(0, i));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return switch (s.substring(i).trim()) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> throw new IllegalArgumentException("'" + text + "' is not a duration (use e.g. 250ms, 2s, 1m, 1h)");
        };
    }

    /** Bytes: a plain number, or with B, KB, MB, GB (powers of 1024; K/M/G and KiB/MiB/GiB also accepted). */
    public static long size(String text) {
        String s = text.trim().toUpperCase(Locale.ROOT).replace("_", "");
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("'" + text + "' is not a size (use e.g. 16384, 512KB, 100MB)");
        }
        long n;
        try {
            n = Long.parseLong(s.substring(0, i));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        long unit = switch (s.substring(i).trim()) {
            case "", "B" -> 1L;
            case "K", "KB", "KIB" -> 1L << 10;
            case "M", "MB", "MIB" -> 1L << 20;
            case "G", "GB", "GIB" -> 1L << 30;
            default -> throw new IllegalArgumentException("'" + text + "' is not a size (use e.g. 16384, 512KB, 100MB)");
        };
        try {
            return Math.multiplyExact(n, unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
    }
}
