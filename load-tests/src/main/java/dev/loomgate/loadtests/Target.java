package dev.loomgate.loadtests;

import java.util.Optional;

/**
 * Something wrk measures.
 *
 * @param name         short name used in tables ("direct", "loomgate", "nginx")
 * @param description  what it is, for the report
 * @param url          what wrk requests
 * @param server       the process serving it (its CPU time is measured)
 * @param originPort   the origin port this target's connections to the origin go to
 * @param metricsUrl   the gateway's admin metrics endpoint, if this is the gateway
 */
record Target(String name, String description, String url, ManagedProcesses.Started server, int originPort,
              Optional<String> metricsUrl) {

    /** CPU time of the serving process and its children (nginx workers) so far, in nanoseconds. */
    long cpuNanos() {
        return CpuMeter.treeNanos(server.process().toHandle());
    }

    /** Fails if the serving process has died. */
    void checkAlive() {
        if (!server.process().isAlive()) {
            throw new BenchFailure(name + " (" + server.name() + ") exited with " + server.process().exitValue()
                    + "; its log (" + server.log() + "):\n" + server.logTail());
        }
    }
}
