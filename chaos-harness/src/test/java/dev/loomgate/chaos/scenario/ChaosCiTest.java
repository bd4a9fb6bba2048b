package dev.loomgate.chaos.scenario;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The short CI version of scenarios 1, 2 and 4 (gateway kill, rolling restart, Redis master kill) on a loopback
 * cluster: same criteria, lower rate, shorter phases. Tagged {@code chaos-ci}: part of the default build. The three
 * run one after another on one started cluster ({@link ChaosRuns.OneCluster}: each waits until the cluster is whole
 * again), which saves two cluster starts and stops (about 40 s); the Redis master kill runs last, as the master it
 * leaves is the other server. make chaos-junit and bin/chaos still start a fresh cluster per scenario.
 */
@Tag("chaos-ci")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosCiTest {
    private ChaosRuns.OneCluster cluster;

    @BeforeAll
    void startCluster() throws Exception {
        cluster = ChaosRuns.OneCluster.start(ClusterMode.LOOPBACK);
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void gatewayNodeKilled() {
        cluster.runAndAssert(1);
    }

    @Test
    @Order(2)
    void rollingGracefulRestart() {
        cluster.runAndAssert(2);
    }

    @Test
    @Order(3)
    void redisMasterKilled() {
        cluster.runAndAssert(4);
    }
}
