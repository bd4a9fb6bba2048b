package dev.loomgate.loadtests;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses what ApacheBench ({@code ab}, apache2-utils 2.3) prints. */
public final class AbOutputParser {
    private static final Pattern COMPLETE = Pattern.compile("(?m)^Complete requests:\\s+(\\d+)\\s*$");
    private static final Pattern FAILED = Pattern.compile("(?m)^Failed requests:\\s+(\\d+)\\s*$");
    private static final Pattern NON_2XX = Pattern.compile("(?m)^Non-2xx responses:\\s+(\\d+)\\s*$");
    private static final Pattern KEEP_ALIVE = Pattern.compile("(?m)^Keep-Alive requests:\\s+(\\d+)\\s*$");
    private static final Pattern RPS = Pattern.compile("(?m)^Requests per second:\\s+([0-9.]+) \\[#/sec\\] \\(mean\\)\\s*$");
    private static final Pattern PERCENT = Pattern.compile("(?m)^\\s+(\\d+)%\\s+(\\d+)(?: \\(longest request\\))?\\s*$");

    private AbOutputParser() {
    }

    /** @throws AbParseException when a required line is missing (e.g. ab stopped on an error) */
    public static AbResult parse(String output) {
        long complete = Long.parseLong(required(COMPLETE, output, "'Complete requests:' line"));
        long failed = Long.parseLong(required(FAILED, output, "'Failed requests:' line"));
        double rps = Double.parseDouble(required(RPS, output, "'Requests per second:' line"));
        return new AbResult(complete, failed, optional(NON_2XX, output), optional(KEEP_ALIVE, output), rps,
                percent(output, 50), percent(output, 99));
    }

    private static long percent(String output, int percent) {
        Matcher m = PERCENT.matcher(output);
        while (m.find()) {
            if (Integer.parseInt(m.group(1)) == percent) {
                return Long.parseLong(m.group(2));
            }
        }
        throw new AbParseException("no " + percent + "% line in 'Percentage of the requests served'", output);
    }

    private static long optional(Pattern p, String output) {
        Matcher m = p.matcher(output);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static String required(Pattern p, String output, String what) {
        Matcher m = p.matcher(output);
        if (!m.find()) {
            throw new AbParseException("no " + what, output);
        }
        return m.group(1);
    }

    /** ab's output did not have the expected shape; carries the output for the message. */
    public static final class AbParseException extends RuntimeException {
        public AbParseException(String reason, String output) {
            super("cannot parse ab output: " + reason + "\n--- ab output ---\n" + output.strip() + "\n---");
        }
    }
}
