package dev.loomgate.loadtests.latency;

import static dev.loomgate.loadtests.OptionArgs.nonNegative;
import static dev.loomgate.loadtests.OptionArgs.number;
import static dev.loomgate.loadtests.OptionArgs.positive;

import dev.loomgate.loadtests.NodeRunOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Options of the latency-under-normal-load benchmark.
 *
 * @param rate          fixed request rate; empty: {@code rateShare} of nginx's maximum measured first
 * @param rateShare     share of nginx's maximum (default 0.5)
 * @param durationSec   seconds of constant-rate load per target
 * @param connections   keep-alive connections of the load generator
 * @param warmupSec     wrk warm-up of the gateway (nginx targets get min(S, 5))
 * @param maxProbeSec   wrk seconds measuring nginx's maximum
 * @param gatewayJar    the gateway jar
 * @param gatewayJvmOpts its JVM options
 * @param outDir        report directory
 * @param keepTemp      keep configs and logs
 */
public record LatencyOptions(Optional<Double> rate, double rateShare, int durationSec, int connections, int warmupSec,
                             int maxProbeSec, Path gatewayJar, List<String> gatewayJvmOpts, Path outDir,
                             boolean keepTemp) {

    static final List<String> DEFAULT_JVM_OPTS = List.of("-XX:+UseParallelGC", "-Xms512m", "-Xmx512m");

    static final String HELP = """
            Usage: bin/bench-latency [options]   (or: make bench-latency BENCH_ARGS="...")
            Latency under normal load (open model): measures nginx proxy's maximum with wrk -t2 -c64, then offers a
            constant rate of 50 %% of it (wrk2-style, latency from each request's intended start, so stalls are not
            hidden) to the origin directly, one Loomgate node and nginx as a reverse proxy, one after the other.
            Prints p50/p99/p99.9 of each, the added figures (proxy minus direct) side by side, the achieved rate of
            the generator, and the goal: Loomgate's p99 added <= nginx's p99 added + 1 ms. Also measures Loomgate's
            own maximum (the share of it the rate takes explains queueing) and the cores the generator, the proxy
            and the origin used during each run (all share this machine's cores).
              --rate R            fixed rate in req/s instead of measuring nginx's maximum
              --rate-share X      share of nginx's maximum (default 0.5)
              --duration S        seconds of constant-rate load per target (default 30)
              --connections N     keep-alive connections of the generator (default 64)
              --warmup S          wrk warm-up of the gateway (default 20; nginx targets get min(S, 5))
              --max-probe S       wrk seconds measuring nginx's maximum (default 10)
              --quick             10 s per target, 5 s warm-up, 3 s probe (explicit flags still win)
              --gateway-jar FILE  gateway jar (default gateway/target/loomgate-gateway.jar)
              --gateway-jvm-opts "OPTS"  JVM options of the node (default "-XX:+UseParallelGC -Xms512m -Xmx512m")
              --out DIR           report directory (default load-tests/target/bench)
              --keep-temp         keep the temp dir with configs and logs
              --help              this text
            Writes latency-<timestamp>.json/.md and latency-latest.json/.md into the report directory.
            A run is valid when the generator held the rate against direct and nginx (Loomgate falling behind is a
            miss); the goal is UNRESOLVED when the generator's own p99 lag against direct exceeds 1 ms (too noisy).
            Exit 0 on a valid run without failed requests (goal met or missed is printed), 1 on failed requests,
            an invalid run or a process that died, 2 on bad options.""".formatted();

    static LatencyOptions parse(String[] args, Path root) {
        boolean quick = List.of(args).contains("--quick");
        Double rate = null;
        double share = 0.5;
        Integer duration = null, warmup = null, probe = null;
        int connections = 64;
        NodeRunOptions node = new NodeRunOptions(root, DEFAULT_JVM_OPTS);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> { }
                case "--rate" -> rate = number(args, ++i, a, 0, 10_000_000);
                case "--rate-share" -> share = number(args, ++i, a, 0, 1);
                case "--duration" -> duration = positive(args, ++i, a);
                case "--connections" -> connections = positive(args, ++i, a);
                case "--warmup" -> warmup = nonNegative(args, ++i, a);
                case "--max-probe" -> probe = positive(args, ++i, a);
                default -> i = node.require(args, i);
            }
        }
        if (rate != null && List.of(args).contains("--rate-share")) {
            throw new IllegalArgumentException("give --rate or --rate-share, not both");
        }
        return new LatencyOptions(Optional.ofNullable(rate), share,
                duration != null ? duration : quick ? 10 : 30, connections,
                warmup != null ? warmup : quick ? 5 : 20, probe != null ? probe : quick ? 3 : 10,
                node.gatewayJar(), node.gatewayJvmOpts(), node.outDir(), node.keepTemp());
    }
}
