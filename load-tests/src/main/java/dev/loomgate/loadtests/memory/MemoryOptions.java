package dev.loomgate.loadtests.memory;

import static dev.loomgate.loadtests.OptionArgs.number;
import static dev.loomgate.loadtests.OptionArgs.positive;

import dev.loomgate.loadtests.NodeRunOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Options of the memory benchmark.
 *
 * @param idleConnections idle keep-alive client connections held open
 * @param rate            steady request rate beside them, req/s
 * @param durationSec     seconds of steady load with the idle connections open
 * @param sources         loopback source addresses the idle connections come from (127.0.0.2 ...)
 * @param nginx           also measure nginx as a proxy with the same connections
 * @param nmt             run the node with native memory tracking and print its summary at the end
 * @param gatewayJar      the gateway jar
 * @param gatewayJvmOpts  its JVM options
 * @param outDir          report directory
 * @param keepTemp        keep configs and logs
 */
public record MemoryOptions(int idleConnections, double rate, int durationSec, int sources, boolean nginx, boolean nmt,
                            Path gatewayJar, List<String> gatewayJvmOpts, Path outDir, boolean keepTemp) {

    /**
     * The node as the cluster deploys it (ansible gateway_java_opts, the package's /etc/default file; a test keeps
     * the three equal). ZGC's soft maximum keeps the heap near 160 MB while the live set allows and lets it grow
     * toward -Xmx under pressure: without it ZGC grew to -Xmx at 1,000 req/s (peak RSS 483 MiB vs 280 MiB).
     */
    static final List<String> DEFAULT_JVM_OPTS = List.of("-XX:+UseZGC", "-Xmx512m", "-XX:SoftMaxHeapSize=160m");

    static final String HELP = """
            Usage: bin/bench-memory [options]   (or: make bench-memory BENCH_ARGS="...")
            Memory with many idle clients: holds N idle keep-alive client connections open to one Loomgate node
            (each sent one request first) and offers a steady open-model load beside them; samples the node's RSS
            every second; then sends one more request on every idle connection (they must all still answer 200).
            Goal: RSS <= 300 MB and no error. Then the same against nginx as a proxy (workers summed), for comparison.
            Sets the node's front-door.max-connections and max-connections-per-client above N and its
            keep-alive-timeout above the run; bin/bench-memory raises the open-files limit of this run only.
              --idle-connections N  idle client connections (default 10000)
              --rate R            steady load beside them, req/s (default 1000)
              --duration S        seconds of steady load (default 30)
              --sources K         loopback source addresses 127.0.0.2.. for the idle connections (default 4)
              --no-nginx          skip the nginx comparison
              --nmt               run the node with -XX:NativeMemoryTracking=summary; with the idle connections
                                  still open, print jcmd's native memory summary and the heap's top classes
              --quick             10 s of steady load (explicit flags still win)
              --gateway-jar FILE  gateway jar (default gateway/target/loomgate-gateway.jar)
              --gateway-jvm-opts "OPTS"  JVM options of the node (default "-XX:+UseZGC -Xmx512m
                                  -XX:SoftMaxHeapSize=160m", as deployed)
              --out DIR           report directory (default load-tests/target/bench)
              --keep-temp         keep the temp dir with configs and logs
              --help              this text
            Writes memory-<timestamp>.json/.md and memory-latest.json/.md into the report directory.
            Exit 0 when no request failed (the RSS goal met or missed is printed), 1 on errors, 2 on bad options.""";

    static MemoryOptions parse(String[] args, Path root) {
        boolean quick = List.of(args).contains("--quick");
        int idle = 10_000, sources = 4;
        double rate = 1000;
        Integer duration = null;
        boolean nginx = true, nmt = false;
        NodeRunOptions node = new NodeRunOptions(root, DEFAULT_JVM_OPTS);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> { }
                case "--no-nginx" -> nginx = false;
                case "--nmt" -> nmt = true;
                case "--idle-connections" -> idle = positive(args, ++i, a);
                case "--rate" -> rate = number(args, ++i, a, 0, 1_000_000);
                case "--duration" -> duration = positive(args, ++i, a);
                case "--sources" -> sources = positive(args, ++i, a);
                default -> i = node.require(args, i);
            }
        }
        if (sources > 250) {
            throw new IllegalArgumentException("--sources must be at most 250 (127.0.0.2 to 127.0.0.251)");
        }
        if (idle > 60_000) {
            throw new IllegalArgumentException("--idle-connections must be at most 60000 (open files)");
        }
        List<String> jvm = node.gatewayJvmOpts();
        if (nmt) {
            List<String> withNmt = new ArrayList<>(node.gatewayJvmOpts());
            withNmt.add("-XX:NativeMemoryTracking=summary");
            jvm = List.copyOf(withNmt);
        }
        return new MemoryOptions(idle, rate, duration != null ? duration : quick ? 10 : 30, sources, nginx, nmt,
                node.gatewayJar(), jvm, node.outDir(), node.keepTemp());
    }
}
