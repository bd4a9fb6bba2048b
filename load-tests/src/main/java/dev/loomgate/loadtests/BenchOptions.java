package dev.loomgate.loadtests;

import static dev.loomgate.loadtests.OptionArgs.nonNegative;
import static dev.loomgate.loadtests.OptionArgs.positive;
import static dev.loomgate.loadtests.OptionArgs.value;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Command-line options of the proxy-overhead benchmark.
 *
 * @param rounds           measured rounds per target (the report takes the median)
 * @param durationSec      wrk -d of a measured run
 * @param connections      wrk -c
 * @param threads          wrk -t
 * @param warmupSec        warm-up load on the gateway before measuring (the JIT needs it)
 * @param nginxWarmupSec   warm-up load on the upstream and the nginx proxy
 * @param bodyBytes        size of the upstream's response body
 * @param gatewayJar       the runnable gateway jar
 * @param gatewayJvmOpts   JVM options of the gateway node
 * @param outDir           where the JSON and Markdown reports go
 * @param keepTemp         keep the temp dir (configs, logs) after a successful run
 * @param quick            true when --quick chose the defaults
 * @param baseline         a second gateway jar measured alongside (--baseline-jar), if any
 * @param tracingDeadCollector the sample ratio of a third gateway target with tracing on and a collector that
 *                         refuses connections (--tracing-dead-collector), if any
 * @param abRequests       requests per ApacheBench run after the wrk rounds (--ab); 0: no ab runs
 */
public record BenchOptions(int rounds, int durationSec, int connections, int threads, int warmupSec,
                           int nginxWarmupSec, int bodyBytes, Path gatewayJar, List<String> gatewayJvmOpts,
                           Path outDir, boolean keepTemp, boolean quick, Optional<Baseline> baseline,
                           Optional<Double> tracingDeadCollector, int abRequests) {

    /**
     * The gateway the current one is compared with.
     *
     * @param jar    its runnable jar
     * @param label  what it is, for the report (e.g. "main (638f708)"); the jar's file name by default
     */
    public record Baseline(Path jar, String label) {
    }

    static final List<String> DEFAULT_JVM_OPTS = List.of("-XX:+UseParallelGC", "-Xms512m", "-Xmx512m");

    static final int DEFAULT_AB_REQUESTS = 20_000;

    static final String HELP = """
            Usage: bin/bench-proxy [options]   (or: make bench BENCH_ARGS="...")
            Measures what proxying costs: wrk against (a) the upstream directly, (b) one Loomgate node,
            (c) nginx as a keep-alive reverse proxy; all on 127.0.0.1 with an nginx upstream (1 worker)
            returning a small body. Starts and stops every process itself.
              --rounds N          measured rounds per target, interleaved (default 3)
              --duration S        seconds per measured wrk run (default 10)
              --connections N     wrk connections (default 64)
              --threads N         wrk threads (default 2)
              --warmup S          seconds of warm-up load on the gateway before measuring (default 30);
                                  nginx targets get min(S, 5)
              --body-bytes N      upstream response body size (default 100)
              --quick             smoke run: 1 round of 3 s (2 with a baseline), 5 s warm-up (explicit flags
                                  still win)
              --gateway-jar FILE  gateway jar (default gateway/target/loomgate-gateway.jar)
              --gateway-jvm-opts "OPTS"  JVM options of the node (default "-XX:+UseParallelGC -Xms512m -Xmx512m")
              --baseline-ref REF  build the gateway jar of git ref REF (e.g. main) in a temporary git worktree
                                  and measure it as --baseline-jar (handled by bin/bench-proxy; the jar is
                                  cached per commit in target/bench-baseline/)
              --baseline-jar FILE a second gateway jar (with the libs/ directory its build writes next to it),
                                  measured as target "loomgate-baseline" with the same
                                  config and JVM options on its own ports, in the same interleaved rounds;
                                  the report adds current/baseline for req/s and CPU us/req, per round, and
                                  says whether the difference is within the rounds' noise (needs >= 2 rounds)
              --baseline-label TEXT  what the baseline is, for the report (default: the jar's file name)
              --tracing-dead-collector  also measure target "loomgate-tracing": the same gateway with
                                  tracing on and an OTLP endpoint that refuses connections; the report adds
                                  tracing-on/tracing-off req/s (goal >= 0.9)
              --tracing-sample-ratio R  that target's tracing.sample-ratio (default 1: every request traced)
              --ab                also measure with ApacheBench (HTTP/1.0), after the wrk rounds: ab -k and
                                  ab without keep-alive (a connection per request, N/4 requests to spare
                                  ephemeral ports) against direct, Loomgate and nginx, -c = --connections;
                                  writes ab-<timestamp>.json/.md too
              --ab-requests N     requests per ab -k run (default 20000; implies --ab)
              --out DIR           report directory (default load-tests/target/bench)
              --keep-temp         keep the temp dir with configs and logs after a successful run
              --help              this text
            Writes bench-<timestamp>.json/.md and latest.json/.md into the report directory.
            Exit 0 on success, 1 if any request failed or a process misbehaved, 2 on bad options.""";

    /** Parses the arguments; relative paths are resolved against {@code root} (the repository). */
    static BenchOptions parse(String[] args, Path root) {
        boolean quick = List.of(args).contains("--quick");
        Integer rounds = null, duration = null, connections = null, threads = null, warmup = null;
        int body = 100;
        NodeRunOptions node = new NodeRunOptions(root, DEFAULT_JVM_OPTS);
        Path baselineJar = null;
        String baselineLabel = null;
        boolean tracing = false;
        double tracingRatio = 1.0;
        int ab = 0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> { }
                case "--rounds" -> rounds = positive(args, ++i, a);
                case "--duration" -> duration = positive(args, ++i, a);
                case "--connections" -> connections = positive(args, ++i, a);
                case "--threads" -> threads = positive(args, ++i, a);
                case "--warmup" -> warmup = nonNegative(args, ++i, a);
                case "--body-bytes" -> body = positive(args, ++i, a);
                case "--baseline-jar" -> baselineJar = root.resolve(value(args, ++i, a));
                case "--baseline-label" -> baselineLabel = value(args, ++i, a);
                case "--tracing-dead-collector" -> tracing = true;
                case "--ab" -> ab = ab == 0 ? DEFAULT_AB_REQUESTS : ab;
                case "--ab-requests" -> ab = positive(args, ++i, a);
                case "--tracing-sample-ratio" -> tracingRatio = ratio(args, ++i, a);
                case "--baseline-ref" -> throw new IllegalArgumentException(
                        "--baseline-ref is handled by bin/bench-proxy (it builds the jar); here pass --baseline-jar FILE");
                default -> i = node.require(args, i);
            }
        }
        // a baseline verdict needs a spread between rounds: 2 is the least that has one
        int r = rounds != null ? rounds : !quick ? 3 : baselineJar != null ? 2 : 1;
        int d = duration != null ? duration : quick ? 3 : 10;
        int c = connections != null ? connections : 64;
        int t = threads != null ? threads : 2;
        int w = warmup != null ? warmup : quick ? 5 : 30;
        if (t > c) {
            throw new IllegalArgumentException("--threads (" + t + ") must not exceed --connections (" + c + ")");
        }
        if (baselineLabel != null && baselineJar == null) {
            throw new IllegalArgumentException("--baseline-label needs --baseline-jar (or --baseline-ref)");
        }
        Optional<Baseline> baseline = Optional.empty();
        if (baselineJar != null) {
            String label = baselineLabel != null && !baselineLabel.isBlank()
                    ? baselineLabel : baselineJar.getFileName().toString();
            baseline = Optional.of(new Baseline(baselineJar, label));
        }
        if (tracingRatio != 1.0 && !tracing) {
            throw new IllegalArgumentException("--tracing-sample-ratio needs --tracing-dead-collector");
        }
        return new BenchOptions(r, d, c, t, w, Math.min(w, 5), body, node.gatewayJar(), node.gatewayJvmOpts(),
                node.outDir(), node.keepTemp(), quick, baseline,
                tracing ? Optional.of(tracingRatio) : Optional.empty(), ab);
    }

    private static double ratio(String[] args, int i, String flag) {
        String v = value(args, i, flag);
        try {
            double r = Double.parseDouble(v);
            if (r >= 0 && r <= 1) {
                return r;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(flag + " needs a number from 0 to 1, got '" + v + "'");
    }
}
