package dev.loomgate.loadtests.gatling;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers of the two memory sources of a node: its Prometheus {@code /metrics} text and {@code /proc/PID/status}. */
public final class MemoryReadings {
    private static final Pattern VM_RSS = Pattern.compile("(?m)^VmRSS:\\s+(\\d+)\\s+kB\\s*$");

    private MemoryReadings() {
    }

    /** {@code jvm_memory_used_bytes{area="heap"}} in bytes (docs/OBSERVABILITY.md), if the text has it. */
    public static Optional<Long> heapUsedBytes(String metricsText) {
        return gauge(metricsText, "jvm_memory_used_bytes", "area", "heap").map(Math::round);
    }

    /**
     * The value of the sample {@code name{... label="value" ...}} in Prometheus text format 0.0.4; other
     * labels on the sample are allowed, comments and other metrics are skipped.
     */
    static Optional<Double> gauge(String text, String name, String label, String value) {
        Pattern sample = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\}\\s+(\\S+)(?:\\s+\\d+)?$");
        Pattern wanted = Pattern.compile("(?:^|,)\\s*" + Pattern.quote(label) + "=\"" + Pattern.quote(value) + "\"");
        for (String line : text.split("\n")) {
            Matcher m = sample.matcher(line.strip());
            if (m.matches() && wanted.matcher(m.group(1)).find()) {
                try {
                    return Optional.of(Double.parseDouble(m.group(2)));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a number in '" + line + "'");
                }
            }
        }
        return Optional.empty();
    }

    /** Resident set size in bytes from the text of {@code /proc/PID/status} ("VmRSS:  123456 kB"). */
    public static Optional<Long> rssBytes(String procStatus) {
        Matcher m = VM_RSS.matcher(procStatus);
        return m.find() ? Optional.of(Long.parseLong(m.group(1)) * 1024) : Optional.empty();
    }
}
