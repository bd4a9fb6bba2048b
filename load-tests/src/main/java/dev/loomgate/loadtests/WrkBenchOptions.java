package dev.loomgate.loadtests;

import static dev.loomgate.loadtests.OptionArgs.nonNegative;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The command line of the benchmarks that run wrk against one bed (async, cache, session): the flags they share
 * ({@code --rounds --seconds --warmup --connections --threads --gateway-jar --help}) with each benchmark's defaults,
 * plus the whole-number flags a benchmark adds ({@code --rate}, {@code --purges}, {@code --sessions}) and its text flags
 * ({@code --sync MODE}, checked against a pattern). A benchmark
 * declares a {@link Spec}; parsing, the usage text, unknown-option errors and {@code --help} are done here once.
 */
public final class WrkBenchOptions {
    static final String DEFAULT_JAR = "gateway/target/loomgate-gateway.jar";

    /** The shared flags; a benchmark takes the ones it declares, with its own defaults. */
    public enum Common {
        ROUNDS("--rounds", 1, "measured rounds"),
        SECONDS("--seconds", 1, "seconds per wrk run"),
        WARMUP("--warmup", 0, "warm-up seconds"),
        CONNECTIONS("--connections", 1, "wrk connections"),
        THREADS("--threads", 1, "wrk threads");

        private final String flag;
        private final int min;
        private final String help;

        Common(String flag, int min, String help) {
            this.flag = flag;
            this.min = min;
            this.help = help;
        }

        public String flag() {
            return flag;
        }
    }

    /** One whole-number flag: its default, least value (0 or 1) and usage text ("\n" continues the text). */
    private record IntFlag(String name, int defaultValue, int min, String help) {
    }

    /** One text flag: its value's name in the usage ("MODE"), default, the pattern a value must match, usage text. */
    private record TextFlag(String name, String metavar, String defaultValue, java.util.regex.Pattern valid,
                            String help) {
    }

    /** What one benchmark takes: its tool name ("bench-session"), summary lines and flags, in usage order. */
    public static final class Spec {
        private final String tool;
        private final String summary;
        private final List<IntFlag> flags;
        private final List<TextFlag> texts;

        private Spec(String tool, String summary, List<IntFlag> flags, List<TextFlag> texts) {
            this.tool = tool;
            this.summary = summary;
            this.flags = List.copyOf(flags);
            this.texts = List.copyOf(texts);
        }

        /** A benchmark run as {@code bin/<tool>} and {@code make <tool>}; {@code summary} may be empty. */
        public static Spec of(String tool, String summary) {
            return new Spec(tool, summary, List.of(), List.of());
        }

        /**
         * Adds this benchmark's own text flag {@code name} ("--sync") shown as {@code metavar} ("MODE"); a value must
         * match {@code valid} entirely (e.g. "reserving|batching"), which the usage does not repeat: say it in help.
         */
        public Spec text(String name, String metavar, String defaultValue, String valid, String help) {
            ownFlag(name);
            java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(valid);
            if (!pattern.matcher(defaultValue).matches()) {
                throw new IllegalArgumentException(name + " default '" + defaultValue + "' does not match " + valid);
            }
            List<TextFlag> all = new ArrayList<>(texts);
            all.add(new TextFlag(name, metavar, defaultValue, pattern, help));
            return new Spec(tool, summary, flags, all);
        }

        private void ownFlag(String name) {
            boolean shared = java.util.Arrays.stream(Common.values()).anyMatch(c -> c.flag.equals(name));
            if (!name.startsWith("--") || shared || "--gateway-jar".equals(name) || "--help".equals(name)
                    || flags.stream().anyMatch(x -> x.name().equals(name))
                    || texts.stream().anyMatch(x -> x.name().equals(name))) {
                throw new IllegalArgumentException("not an own flag, or declared twice: " + name);
            }
        }

        /** Takes the shared {@code flag} with this default and the standard usage text. */
        public Spec with(Common flag, int defaultValue) {
            return with(flag, defaultValue, flag.help);
        }

        /** As {@link #with(Common, int)}, saying what the flag does in this benchmark. */
        public Spec with(Common flag, int defaultValue, String help) {
            return add(new IntFlag(flag.flag, defaultValue, flag.min, help));
        }

        /** Adds this benchmark's own flag {@code name} ("--sessions"): a whole number >= 1. */
        public Spec flag(String name, int defaultValue, String help) {
            ownFlag(name);
            return add(new IntFlag(name, defaultValue, 1, help));
        }

        private Spec add(IntFlag f) {
            if (flags.stream().anyMatch(x -> x.name().equals(f.name()))
                    || texts.stream().anyMatch(x -> x.name().equals(f.name()))) {
                throw new IllegalArgumentException(f.name() + " declared twice");
            }
            if (f.defaultValue() < f.min()) {
                throw new IllegalArgumentException(f.name() + " default " + f.defaultValue() + " is below " + f.min());
            }
            List<IntFlag> all = new ArrayList<>(flags);
            all.add(f);
            return new Spec(tool, summary, all, texts);
        }

        public String tool() {
            return tool;
        }

        /** The usage text: every declared flag with its default, then --gateway-jar and --help. */
        public String usage() {
            StringBuilder sb = new StringBuilder("usage: bin/%s [options]   (or: make %s)\n".formatted(tool, tool));
            if (!summary.isBlank()) {
                sb.append(summary.strip()).append('\n');
            }
            for (IntFlag f : flags) {
                line(sb, f.name() + " N", f.help() + " (default " + f.defaultValue() + ")");
            }
            for (TextFlag f : texts) {
                line(sb, f.name() + " " + f.metavar(), f.help() + " (default " + f.defaultValue() + ")");
            }
            line(sb, "--gateway-jar PATH", "gateway jar (default " + DEFAULT_JAR + ")");
            line(sb, "--help", "this text");
            return sb.toString();
        }

        private static void line(StringBuilder sb, String option, String help) {
            String[] parts = help.split("\n");
            sb.append("  %-20s  %s\n".formatted(option, parts[0]));
            for (int i = 1; i < parts.length; i++) {
                sb.append(" ".repeat(24)).append(parts[i].strip()).append('\n');
            }
        }

        /**
         * Parses {@code args}; a relative {@code --gateway-jar} is resolved against {@code root}.
         *
         * @throws IllegalArgumentException naming the flag: an unknown one, a missing or bad value, more wrk threads
         *                                  than connections
         */
        public WrkBenchOptions parse(String[] args, Path root) {
            Map<String, Integer> values = new LinkedHashMap<>();
            flags.forEach(f -> values.put(f.name(), f.defaultValue()));
            Map<String, String> textValues = new LinkedHashMap<>();
            texts.forEach(f -> textValues.put(f.name(), f.defaultValue()));
            Path jar = root.resolve(DEFAULT_JAR);
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                Optional<IntFlag> f = flags.stream().filter(x -> x.name().equals(a)).findFirst();
                Optional<TextFlag> t = texts.stream().filter(x -> x.name().equals(a)).findFirst();
                if (t.isPresent()) {
                    String v = OptionArgs.value(args, ++i, a);
                    if (!t.get().valid().matcher(v).matches()) {
                        throw new IllegalArgumentException(a + ": '" + v + "' is not one of " + t.get().valid());
                    }
                    textValues.put(a, v);
                } else if (f.isPresent()) {
                    int v = nonNegative(args, ++i, a);
                    if (v < f.get().min()) {
                        throw new IllegalArgumentException(a + " must be > 0");
                    }
                    values.put(a, v);
                } else if ("--gateway-jar".equals(a)) {
                    jar = root.resolve(OptionArgs.value(args, ++i, a));
                } else {
                    throw new IllegalArgumentException("unknown option '" + a + "'");
                }
            }
            String threads = Common.THREADS.flag, connections = Common.CONNECTIONS.flag;
            if (values.containsKey(threads) && values.containsKey(connections)
                    && values.get(threads) > values.get(connections)) {
                throw new IllegalArgumentException("--threads (" + values.get(threads)
                        + ") must not exceed --connections (" + values.get(connections) + ")");
            }
            return new WrkBenchOptions(values, textValues, jar);
        }

        /** True when {@code args} ask for the usage text ({@code --help} or {@code -h}). */
        public static boolean wantsHelp(String[] args) {
            return List.of(args).contains("--help") || List.of(args).contains("-h");
        }

        /**
         * For a benchmark's {@code main}: parses {@code args} (relative paths against the working directory). With
         * {@code --help} prints the usage and returns empty (exit 0); a bad option prints what is wrong and the
         * usage to stderr and exits with 2.
         */
        public Optional<WrkBenchOptions> parseOrExit(String[] args) {
            if (wantsHelp(args)) {
                System.out.print(usage());
                return Optional.empty();
            }
            try {
                return Optional.of(parse(args, Path.of("")));
            } catch (IllegalArgumentException e) {
                System.err.print(tool + ": " + e.getMessage() + "\n" + usage());
                System.exit(2);
                return Optional.empty();
            }
        }
    }

    private final Map<String, Integer> values;
    private final Map<String, String> texts;
    private final Path gatewayJar;

    private WrkBenchOptions(Map<String, Integer> values, Map<String, String> texts, Path gatewayJar) {
        this.values = Map.copyOf(values);
        this.texts = Map.copyOf(texts);
        this.gatewayJar = gatewayJar;
    }

    public int rounds() {
        return value(Common.ROUNDS.flag);
    }

    public int seconds() {
        return value(Common.SECONDS.flag);
    }

    public int warmup() {
        return value(Common.WARMUP.flag);
    }

    public int connections() {
        return value(Common.CONNECTIONS.flag);
    }

    public int threads() {
        return value(Common.THREADS.flag);
    }

    /**
     * The value of a declared flag ("--sessions").
     *
     * @throws IllegalStateException if the benchmark's spec does not declare it (a programming error)
     */
    public int value(String flag) {
        Integer v = values.get(flag);
        if (v == null) {
            throw new IllegalStateException(flag + " is not declared by this benchmark");
        }
        return v;
    }

    /**
     * The value of a declared text flag ("--sync").
     *
     * @throws IllegalStateException if the benchmark's spec does not declare it (a programming error)
     */
    public String text(String flag) {
        String v = texts.get(flag);
        if (v == null) {
            throw new IllegalStateException(flag + " is not declared by this benchmark");
        }
        return v;
    }

    public Path gatewayJar() {
        return gatewayJar;
    }
}
