package dev.loomgate.chaos.report;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;

/**
 * A chaos run: metadata and its scenarios.
 *
 * @param title     report title
 * @param startedAt when the run began
 * @param mode      cluster mode: {@code loopback}, {@code namespace}, {@code synthetic}
 * @param machine   where it ran (see {@link #describeMachine()})
 */
public record RunReport(String title, Instant startedAt, String mode, String machine, List<ScenarioResult> scenarios) {

    public RunReport {
        scenarios = List.copyOf(scenarios);
    }

    public boolean passed() {
        return !scenarios.isEmpty() && scenarios.stream().allMatch(ScenarioResult::passed);
    }

    public long failedCriteria() {
        return scenarios.stream().flatMap(s -> s.criteria().stream()).filter(c -> !c.pass()).count();
    }

    /** {@code host, 2 cores, Linux 6.1 amd64, Java 25}. */
    public static String describeMachine() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "unknown host";
        }
        return host + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch") + ", Java " + Runtime.version().feature();
    }
}
