package dev.loomgate.loadtests;

import static dev.loomgate.loadtests.OptionArgs.splitOpts;
import static dev.loomgate.loadtests.OptionArgs.value;

import java.nio.file.Path;
import java.util.List;

/**
 * The options of every benchmark that starts a gateway node, parsed in one place: {@code --gateway-jar FILE},
 * {@code --gateway-jvm-opts "OPTS"}, {@code --out DIR} and {@code --keep-temp}. Filled while a benchmark's parser
 * walks its arguments ({@link #accept}), then read into that benchmark's own options record.
 */
public final class NodeRunOptions {
    private Path gatewayJar;
    private List<String> gatewayJvmOpts;
    private Path outDir;
    private boolean keepTemp;
    private final Path root;

    /** Defaults: the built jar, {@code defaultJvmOpts}, reports in load-tests/target/bench, temp dir removed. */
    public NodeRunOptions(Path root, List<String> defaultJvmOpts) {
        this.root = root;
        this.gatewayJar = root.resolve("gateway/target/loomgate-gateway.jar");
        this.gatewayJvmOpts = List.copyOf(defaultJvmOpts);
        this.outDir = root.resolve("load-tests/target/bench");
    }

    /**
     * Consumes {@code args[i]} (and its value) when it is one of these options.
     *
     * @return the index of the last argument consumed, or -1 when {@code args[i]} is not one of them
     * @throws IllegalArgumentException when its value is missing
     */
    public int accept(String[] args, int i) {
        String a = args[i];
        switch (a) {
            case "--keep-temp" -> keepTemp = true;
            case "--gateway-jar" -> gatewayJar = root.resolve(value(args, ++i, a));
            case "--gateway-jvm-opts" -> gatewayJvmOpts = splitOpts(value(args, ++i, a));
            case "--out" -> outDir = root.resolve(value(args, ++i, a));
            default -> {
                return -1;
            }
        }
        return i;
    }

    /** Consumes {@code args[i]} like {@link #accept}; an option that is not one of these is an error. */
    public int require(String[] args, int i) {
        int last = accept(args, i);
        if (last < 0) {
            throw new IllegalArgumentException("unknown option '" + args[i] + "' (see --help)");
        }
        return last;
    }

    public Path gatewayJar() {
        return gatewayJar;
    }

    public List<String> gatewayJvmOpts() {
        return gatewayJvmOpts;
    }

    public Path outDir() {
        return outDir;
    }

    public boolean keepTemp() {
        return keepTemp;
    }
}
