package dev.loomgate.consul.standin.store;

import java.time.Duration;
import java.util.Optional;

/** Go {@code time.ParseDuration} / {@code Duration.String()} compatible parsing and formatting. */
public final class GoDuration {
    private GoDuration() {
    }

    /**
     * Parses a Go duration such as {@code 10s}, {@code 1m30s}, {@code 1500ms}, {@code 0.5s} or the literal {@code 0}.
     * A bare non-zero number has no unit and is invalid, as in Go.
     */
    public static Optional<Duration> parse(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        String s = text;
        boolean negative = false;
        if (s.charAt(0) == '-' || s.charAt(0) == '+') {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Optional.of(Duration.ZERO);
        }
        if (s.isEmpty()) {
            return Optional.empty();
        }
        double totalNanos = 0;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            if (start == i) {
                return Optional.empty();
            }
            String number = s.substring(start, i);
            if (number.equals(".") || number.chars().filter(c -> c == '.').count() > 1) {
                return Optional.empty();
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            String unit = s.substring(unitStart, i);
            long unitNanos = switch (unit) {
                case "ns" -> 1L;
                case "us", "µs", "μs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> -1L;
            };
            if (unitNanos < 0) {
                return Optional.empty();
            }
            totalNanos += Double.parseDouble(number) * unitNanos;
        }
        if (totalNanos > Long.MAX_VALUE) {
            return Optional.empty();
        }
        long nanos = Math.round(totalNanos);
        return Optional.of(Duration.ofNanos(negative ? -nanos : nanos));
    }

    /** Formats like Go's {@code time.Duration.String()}: {@code 1h30m0s}, {@code 10s}, {@code 1.5s}, {@code 500ms}. */
    public static String format(Duration duration) {
        long nanos = duration.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        if (nanos < 0) {
            out.append('-');
            nanos = -nanos;
        }
        if (nanos < 1_000_000_000L) {
            if (nanos < 1_000L) {
                return out.append(nanos).append("ns").toString();
            }
            if (nanos < 1_000_000L) {
                return out.append(fraction(nanos, 1_000L)).append("µs").toString();
            }
            return out.append(fraction(nanos, 1_000_000L)).append("ms").toString();
        }
        long hours = nanos / 3_600_000_000_000L;
        long rest = nanos % 3_600_000_000_000L;
        long minutes = rest / 60_000_000_000L;
        rest = rest % 60_000_000_000L;
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            out.append(minutes).append('m');
        }
        return out.append(fraction(rest, 1_000_000_000L)).append('s').toString();
    }

    private static String fraction(long value, long unit) {
        long whole = value / unit;
        long remainder = value % unit;
        if (remainder == 0) {
            return Long.toString(whole);
        }
        String digits = String.format("%0" + Long.toString(unit - 1).length() + "d", remainder);
        return whole + "." + digits.replaceAll("0+$", "");
    }
}
