package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.ScenarioResult;
import dev.loomgate.chaos.report.Window;

import java.time.Duration;
import java.util.List;

/** Scenario 4: kill -9 of the Redis master; Sentinel promotes the replica. */
public final class RedisMasterKillScenario implements Scenario {

    @Override
    public int number() {
        return 4;
    }

    @Override
    public String name() {
        return "Redis master killed (Sentinel failover)";
    }

    @Override
    public String description() {
        return "Mixed load plus GETs on a rate-limited route at twice its limit; kill -9 of the Redis master. "
                + "Goals: 0 5xx; the limit keeps applying in every second after the kill (429s keep coming, "
                + "from the local fallback while degraded or through the new master).";
    }

    @Override
    public ScenarioResult run(ChaosCluster cluster, ScenarioContext ctx) throws Exception {
        Duration total = ctx.phase(Duration.ofSeconds(25), Duration.ofSeconds(16));
        ClusterProcess master = cluster.redisMaster();
        try (UnderLoad load = UnderLoad.startWithLimited(cluster, ctx, total)) {
            load.at(ctx.phase(Duration.ofSeconds(6), Duration.ofSeconds(4)));
            ctx.say("kill -9 " + master.name() + " (pid " + master.pid() + ")");
            long killed = load.faults().instant("kill -9", "redis master " + master.name(), master::kill9);
            load.await();
            String newMaster;
            try {
                newMaster = cluster.redisMaster().name();
            } catch (RuntimeException e) {
                newMaster = "unknown (" + e.getMessage() + ")";
            }
            ctx.say("Sentinel's master now: " + newMaster);
            GatewayKillScenario.restore(ctx, cluster, master);
            // whole seconds from the kill to the end of the offered load: a partial last second proves nothing
            long seconds = (load.startMillis() + total.toMillis() - killed) / 1000;
            List<Criterion> criteria = List.of(
                    ScenarioCriteria.noServerErrors(load.allRecords()),
                    ScenarioCriteria.limitKeptApplying(load.limitedRecords(),
                            new Window(killed, killed + seconds * 1000)));
            return load.result(this, criteria);
        }
    }
}
