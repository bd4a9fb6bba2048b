package dev.loomgate.benchmarks.jwt;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@link JwtFilterBenchmark}'s two operations timed with the thread's CPU clock, interleaved round by round: on a
 * shared machine wall time also counts waiting for a core (JMH's figures swung 2x at load 5 on 2 cores), CPU time
 * does not. Prints the median and the lowest round of each and their difference, the filter's own cost.
 * {@code java -cp benchmarks/target/loomgate-benchmarks.jar dev.loomgate.benchmarks.jwt.JwtHitCpu [rounds]}
 */
public final class JwtHitCpu {
    private static final int PER_ROUND = 200_000;

    private JwtHitCpu() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 21;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        JwtFilterBenchmark b = new JwtFilterBenchmark();
        b.setUp();
        try {
            for (int i = 0; i < 10 * PER_ROUND; i++) { // warm-up: both compiled before measuring
                b.baseline();
                b.jwtCacheHit();
            }
            double[] base = new double[rounds];
            double[] hit = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long t0 = threads.getCurrentThreadCpuTime();
                int n = 0;
                for (int i = 0; i < PER_ROUND; i++) {
                    n += b.baseline() ? 1 : 0;
                }
                long t1 = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < PER_ROUND; i++) {
                    n += b.jwtCacheHit() ? 1 : 0;
                }
                long t2 = threads.getCurrentThreadCpuTime();
                if (n != 2 * PER_ROUND) {
                    throw new IllegalStateException("an operation failed");
                }
                base[r] = (double) (t1 - t0) / PER_ROUND;
                hit[r] = (double) (t2 - t1) / PER_ROUND;
            }
            Arrays.sort(base);
            Arrays.sort(hit);
            System.out.printf(Locale.ROOT, "CPU ns/op over %d rounds of %d: pass-through median %.0f (min %.0f); "
                    + "jwt cache hit median %.0f (min %.0f); the filter: %.0f ns (min-min %.0f)%n", rounds, PER_ROUND,
                    base[rounds / 2], base[0], hit[rounds / 2], hit[0], hit[rounds / 2] - base[rounds / 2],
                    hit[0] - base[0]);
        } finally {
            b.tearDown();
        }
    }
}
