package dev.loomgate.loadtests.security;

import static dev.loomgate.loadtests.OptionArgs.nonNegative;
import static dev.loomgate.loadtests.OptionArgs.positive;

import dev.loomgate.loadtests.NodeRunOptions;
import java.nio.file.Path;
import java.util.List;

/**
 * Options of the security benchmark.
 *
 * @param rounds         interleaved rounds (each runs every target once)
 * @param durationSec    seconds per wrk run
 * @param warmupSec      wrk warm-up per target before the rounds
 * @param connections    wrk connections
 * @param gatewayJar     the gateway jar
 * @param gatewayJvmOpts its JVM options
 * @param outDir         report directory
 * @param keepTemp       keep configs, keys and logs
 */
public record SecurityOptions(int rounds, int durationSec, int warmupSec, int connections, Path gatewayJar,
                              List<String> gatewayJvmOpts, Path outDir, boolean keepTemp) {

    static final List<String> DEFAULT_JVM_OPTS = List.of("-XX:+UseParallelGC", "-Xms512m", "-Xmx512m");

    static final String HELP = """
            Usage: bin/bench-security [options]   (or: make bench-security BENCH_ARGS="...")
            The cost of security on the data path, in one run (wrk -t2, keep-alive, nginx origin returning 100 bytes):
              loomgate-open  a route without auth           loomgate-jwt  the same route behind the jwt filter
                             (RS256 token, keys from a JWKS URL this benchmark serves, cached by the node)
              loomgate-open-token  the open route sent the JWT route's token header (a control: JWT vs it is the
                             filter's own cost; it vs loomgate-open the cost of carrying the header)
              loomgate-tls   the open route on a second node whose proxy port speaks TLS (certificate made here)
              nginx          nginx as a reverse proxy      nginx-tls     nginx terminating TLS, same certificate
            Targets run in interleaved rounds after a warm-up. Prints JWT/open (goal >= 0.9) with both p99s, TLS/plain
            for Loomgate and nginx, and Loomgate/nginx with and without TLS.
              --rounds N          interleaved rounds (default 3)
              --duration S        seconds per wrk run (default 10)
              --warmup S          wrk warm-up per target (default 15; nginx targets get min(S, 5))
              --connections N     wrk connections (default 64)
              --quick             1 round of 5 s, 5 s warm-up (explicit flags still win)
              --gateway-jar FILE  gateway jar (default gateway/target/loomgate-gateway.jar)
              --gateway-jvm-opts "OPTS"  JVM options of the node (default "-XX:+UseParallelGC -Xms512m -Xmx512m")
              --out DIR           report directory (default load-tests/target/bench)
              --keep-temp         keep the temp dir with configs, keys and logs
              --help              this text
            Writes security-<timestamp>.json/.md and security-latest.json/.md into the report directory.
            Exit 0 when no request failed (the goal met or missed is printed), 1 on failures, 2 on bad options.""";

    static SecurityOptions parse(String[] args, Path root) {
        boolean quick = List.of(args).contains("--quick");
        Integer rounds = null, duration = null, warmup = null;
        int connections = 64;
        NodeRunOptions node = new NodeRunOptions(root, DEFAULT_JVM_OPTS);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> { }
                case "--rounds" -> rounds = positive(args, ++i, a);
                case "--duration" -> duration = positive(args, ++i, a);
                case "--warmup" -> warmup = nonNegative(args, ++i, a);
                case "--connections" -> connections = positive(args, ++i, a);
                default -> i = node.require(args, i);
            }
        }
        return new SecurityOptions(rounds != null ? rounds : quick ? 1 : 3, duration != null ? duration : quick ? 5 : 10,
                warmup != null ? warmup : quick ? 5 : 15, connections, node.gatewayJar(), node.gatewayJvmOpts(), node.outDir(), node.keepTemp());
    }
}
