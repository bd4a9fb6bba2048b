package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.Figures;
import dev.loomgate.chaos.report.ScenarioResult;
import dev.loomgate.chaos.report.Window;

import java.time.Duration;
import java.util.List;

/** Scenario 6: one upstream instance killed; idempotent requests are retried on the other. */
public final class UpstreamKillScenario implements Scenario {

    @Override
    public int number() {
        return 6;
    }

    @Override
    public String name() {
        return "upstream instance killed";
    }

    @Override
    public String description() {
        return "Under steady mixed load, kill -9 of the first demo upstream instance. Goal: 0 failed idempotent "
                + "requests (the gateway retries them on another instance); plain POST failures are shown as well.";
    }

    @Override
    public ScenarioResult run(ChaosCluster cluster, ScenarioContext ctx) throws Exception {
        ClusterProcess victim = cluster.upstreams().getFirst();
        Duration total = ctx.phase(Duration.ofSeconds(20), Duration.ofSeconds(12));
        try (UnderLoad load = UnderLoad.start(cluster, ctx, total)) {
            load.at(ctx.phase(Duration.ofSeconds(6), Duration.ofSeconds(4)));
            ctx.say("kill -9 " + victim.name() + " (pid " + victim.pid() + ")");
            load.faults().instant("kill -9", victim.name(), victim::kill9);
            load.await();
            GatewayKillScenario.restore(ctx, cluster, victim);
            long plainPostFailures = Figures.failedNonIdempotent(load.records(), Window.all());
            ctx.say("plain POST failures (informational): " + plainPostFailures);
            List<Criterion> criteria = List.of(ScenarioCriteria.noFailedIdempotent(load.records()));
            return load.result(this, criteria);
        }
    }
}
