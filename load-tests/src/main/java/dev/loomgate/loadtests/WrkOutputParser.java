package dev.loomgate.loadtests;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the text wrk 4.x prints with {@code --latency}. */
public final class WrkOutputParser {
    private static final Pattern REQUESTS = Pattern.compile("(?m)^\\s*(\\d+) requests in ");
    private static final Pattern RPS = Pattern.compile("(?m)^Requests/sec:\\s+([0-9.]+)\\s*$");
    private static final Pattern PERCENTILE = Pattern.compile("(?m)^\\s+(\\d+(?:\\.\\d+)?)%\\s+([0-9.]+)(us|ms|s|m|h)\\s*$");
    private static final Pattern NON_2XX = Pattern.compile("(?m)^\\s*Non-2xx or 3xx responses:\\s+(\\d+)\\s*$");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "(?m)^\\s*Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)\\s*$");

    private WrkOutputParser() {
    }

    /**
     * @throws WrkParseException if a required figure (request count, Requests/sec, 50% or 99% latency) is missing
     */
    public static WrkResult parse(String output) {
        if (!output.contains("Latency Distribution")) {
            throw new WrkParseException("no 'Latency Distribution' section (was wrk run with --latency?)", output);
        }
        long requests = Long.parseLong(required(REQUESTS, output, "'N requests in' line"));
        double rps = Double.parseDouble(required(RPS, output, "'Requests/sec:' line"));
        double p50 = percentileMicros(output, "50");
        double p99 = percentileMicros(output, "99");
        Matcher non = NON_2XX.matcher(output);
        long non2xx = non.find() ? Long.parseLong(non.group(1)) : 0;
        Matcher se = SOCKET_ERRORS.matcher(output);
        WrkResult.SocketErrors errors = se.find()
                ? new WrkResult.SocketErrors(Long.parseLong(se.group(1)), Long.parseLong(se.group(2)),
                        Long.parseLong(se.group(3)), Long.parseLong(se.group(4)))
                : WrkResult.SocketErrors.NONE;
        if (output.contains("Socket errors") && !se.reset().find()) {
            throw new WrkParseException("unrecognised 'Socket errors' line", output);
        }
        return new WrkResult(requests, rps, p50, p99, non2xx, errors);
    }

    private static double percentileMicros(String output, String percent) {
        Matcher m = PERCENTILE.matcher(output);
        while (m.find()) {
            if (Double.parseDouble(m.group(1)) == Double.parseDouble(percent)) {
                return toMicros(Double.parseDouble(m.group(2)), m.group(3));
            }
        }
        throw new WrkParseException("no " + percent + "% line in the latency distribution", output);
    }

    static double toMicros(double value, String unit) {
        return switch (unit) {
            case "us" -> value;
            case "ms" -> value * 1_000;
            case "s" -> value * 1_000_000;
            case "m" -> value * 60_000_000;
            case "h" -> value * 3_600_000_000.0;
            default -> throw new IllegalArgumentException("unknown wrk time unit '" + unit + "'");
        };
    }

    private static String required(Pattern p, String output, String what) {
        Matcher m = p.matcher(output);
        if (!m.find()) {
            throw new WrkParseException("no " + what, output);
        }
        return m.group(1);
    }

    /** wrk's output did not have the expected shape; carries the output for the error message. */
    public static final class WrkParseException extends RuntimeException {
        public WrkParseException(String reason, String output) {
            super("cannot parse wrk output: " + reason + "\n--- wrk output ---\n" + output.strip() + "\n---");
        }
    }
}
