package dev.loomgate.benchmarks;

import dev.loomgate.gateway.route.RouteTable;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * CPU time of one match, measured with the thread's CPU clock over rounds of matches: on a shared machine wall time
 * also counts the time the thread waited for a core, CPU time does not. Complements the JMH figures.
 */
final class CpuPerMatch {
    private CpuPerMatch() {
    }

    /** @return CPU nanoseconds per match of each round, sorted */
    static double[] measure(RouteTable table, LookupRequest[] requests, int rounds, int matchesPerRound) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!threads.isCurrentThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot measure thread CPU time");
        }
        long found = 0;
        for (int i = 0; i < matchesPerRound * 2; i++) { // warm-up: compiled before measuring
            found += table.match(requests[i % requests.length]).isPresent() ? 1 : 0;
        }
        double[] perMatch = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long start = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < matchesPerRound; i++) {
                found += table.match(requests[i % requests.length]).isPresent() ? 1 : 0;
            }
            perMatch[r] = (double) (threads.getCurrentThreadCpuTime() - start) / matchesPerRound;
        }
        if (found == 0) {
            throw new IllegalStateException("no lookup matched"); // also keeps the loop's work observable
        }
        Arrays.sort(perMatch);
        return perMatch;
    }

    /** @return CPU milliseconds of each parse + apply + swap of {@code yaml} on {@code state}, sorted */
    static double[] buildMillis(dev.loomgate.gateway.routing.RoutingState state, String yaml, int warmups, int rounds) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < warmups; i++) {
            state.apply(RouteFixture.parse(yaml));
        }
        double[] millis = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long start = threads.getCurrentThreadCpuTime();
            state.apply(RouteFixture.parse(yaml));
            millis[r] = (threads.getCurrentThreadCpuTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        return millis;
    }
}
