package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.report.ScenarioResult;

/**
 * One fault scenario of issue 7: starts load against the cluster's front, injects its faults at recorded instants,
 * and returns the records, the faults and the pass criteria with their measured figures.
 */
public interface Scenario {

    /** The number in issue 7 (1..9), or 10: async (issue 16), 11: shared state (issue 15), 12: sagas (issue 17). */
    int number();

    String name();

    /** What is done and what must hold, one paragraph for the report. */
    String description();

    /** Needs network namespaces (link down, partition): not runnable in loopback mode. */
    default boolean needsNamespaces() {
        return false;
    }

    /** Runs against a ready cluster; leaves it restored as far as it can (killed processes restarted). */
    ScenarioResult run(ChaosCluster cluster, ScenarioContext context) throws Exception;

    /** {@code #1 kill -9 one gateway node}: the issue's number stays visible when the report numbers its list. */
    default String title() {
        return "#" + number() + " " + name();
    }
}
