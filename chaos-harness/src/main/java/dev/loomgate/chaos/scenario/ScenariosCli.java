package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.report.RunReport;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code chaos scenarios [--quick] [--only 1,2,4] [--loopback] [--port-offset N] [--netns-prefix P] [--out DIR]}:
 * runs the scenarios in the best mode available (namespace mode as root, unless --loopback), prints the criteria
 * table, writes the run folder ({@code chaos-harness/target/chaos/<timestamp>/} by default). Exit 0 when every
 * criterion passed, 1 when one failed or a scenario was skipped (not run is not passed), 2 on bad usage or no
 * launcher.
 */
public final class ScenariosCli {
    private ScenariosCli() {
    }

    public static int run(String[] args) throws Exception {
        boolean quick = false;
        boolean loopback = false;
        Set<Integer> only = new TreeSet<>();
        Path out = null;
        int portOffset = 0;
        java.util.Optional<String> prefix = java.util.Optional.empty();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--loopback" -> loopback = true;
                case "--only" -> only.addAll(numbers(value(args, ++i, "--only")));
                case "--out" -> out = Path.of(value(args, ++i, "--out"));
                case "--port-offset" -> portOffset = Integer.parseInt(value(args, ++i, "--port-offset"));
                case "--netns-prefix" -> prefix = java.util.Optional.of(value(args, ++i, "--netns-prefix"));
                default -> {
                    System.err.println("scenarios: unknown option '" + args[i] + "'");
                    return 2;
                }
            }
        }
        var launcher = ClusterLaunchers.local();
        if (launcher.isEmpty()) {
            System.err.println("scenarios: " + ClusterLaunchers.missingReason());
            return 2;
        }
        ClusterMode mode = loopback ? ClusterMode.LOOPBACK : ClusterMode.best();
        Path runDir = out != null ? out : Path.of("chaos-harness/target/chaos",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss")));
        List<Scenario> scenarios = only.isEmpty() ? Scenarios.all() : Scenarios.only(only);
        System.out.println("chaos: " + scenarios.size() + " scenarios in " + mode.label() + " mode"
                + (quick ? " (quick)" : "") + ", run folder " + runDir.toAbsolutePath());
        RunReport report = new ScenarioRunner(launcher.get(), new ClusterOptions(mode, portOffset, prefix), quick,
                runDir, System.out::println)
                .run(scenarios);
        return report.passed() ? 0 : 1;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    static Set<Integer> numbers(String list) {
        Set<Integer> out = new TreeSet<>();
        for (String part : list.split(",")) {
            try {
                out.add(Integer.parseInt(part.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--only: '" + part
                        + "' is not a scenario number (e.g. --only 1,2,4)");
            }
        }
        return out;
    }
}
