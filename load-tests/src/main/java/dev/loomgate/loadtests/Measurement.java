package dev.loomgate.loadtests;

import java.util.Optional;

/**
 * One measured wrk run against one target.
 *
 * @param target               target name
 * @param round                1-based round
 * @param wrk                  what wrk reported
 * @param cpuMicrosPerRequest  CPU the serving process tree (proxy, or origin for "direct") spent per request
 * @param upstreamOpened       gateway only: delta of loomgate_upstream_connections_opened_total over the run
 * @param timeWaitBefore       TIME_WAIT sockets to this target's origin port before the run
 * @param timeWaitAfter        the same after the run
 * @param loadAverage          1-minute load average when the run started
 */
record Measurement(String target, int round, WrkResult wrk, double cpuMicrosPerRequest,
                   Optional<Long> upstreamOpened, Optional<Integer> timeWaitBefore,
                   Optional<Integer> timeWaitAfter, String loadAverage) {
}
