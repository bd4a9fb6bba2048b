package dev.loomgate.chaos.scenario;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The short CI version of scenarios 1, 2 and 4 (gateway kill, rolling restart, Redis master kill) on a loopback
 * cluster: same criteria, lower rate, shorter phases. Tagged {@code chaos-ci}: part of the default build.
 */
@Tag("chaos-ci")
class ChaosCiTest {

    @Test
    void gatewayNodeKilled() throws Exception {
        ChaosRuns.runAndAssert(1, ClusterMode.LOOPBACK, true);
    }

    @Test
    void rollingGracefulRestart() throws Exception {
        ChaosRuns.runAndAssert(2, ClusterMode.LOOPBACK, true);
    }

    @Test
    void redisMasterKilled() throws Exception {
        ChaosRuns.runAndAssert(4, ClusterMode.LOOPBACK, true);
    }
}
