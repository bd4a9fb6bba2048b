package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.ScenarioResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** Scenario 1: kill -9 one of the gateway nodes under a steady rate. */
public final class GatewayKillScenario implements Scenario {
    static final long MARK_DOWN_LIMIT_MS = 1500;

    @Override
    public int number() {
        return 1;
    }

    @Override
    public String name() {
        return "kill -9 one gateway node";
    }

    @Override
    public String description() {
        return "Steady mixed load (GET, POST with and without Idempotency-Key, new and kept-alive connections); "
                + "kill -9 of the second gateway node. Goals: 0 failed idempotent requests; failed plain POSTs at most "
                + "those in flight on that node at the kill; every HAProxy marks it down in < 1.5 s (runtime API "
                + "polled every 50 ms).";
    }

    @Override
    public ScenarioResult run(ChaosCluster cluster, ScenarioContext ctx) throws Exception {
        ClusterProcess victim = cluster.gateways().get(1);
        Duration total = ctx.phase(Duration.ofSeconds(20), Duration.ofSeconds(12));
        Duration killAt = ctx.phase(Duration.ofSeconds(6), Duration.ofSeconds(4));
        try (UnderLoad load = UnderLoad.start(cluster, ctx, total)) {
            load.at(killAt);
            ctx.say("kill -9 " + victim.name() + " (pid " + victim.pid() + ")");
            long killed = load.faults().instant("kill -9", victim.name(), victim::kill9);
            Map<String, OptionalLong> down = LbWatch.markedOut(cluster, victim.name(), killed,
                    load.faults().clock(), Duration.ofSeconds(10));
            down.forEach((lb, ms) -> ctx.say(lb + " marked " + victim.name() + " down after "
                    + (ms.isPresent() ? ms.getAsLong() + " ms" : "never (10 s)")));
            load.await();
            restore(ctx, cluster, victim);
            List<Criterion> criteria = new ArrayList<>();
            criteria.add(ScenarioCriteria.noFailedIdempotent(load.records()));
            criteria.add(ScenarioCriteria.nonIdempotentFailuresBoundedByInFlight(load.records(), victim.name(),
                    killed));
            down.forEach((lb, ms) -> criteria.add(ScenarioCriteria.markedDownWithin(lb, victim.name(), ms,
                    MARK_DOWN_LIMIT_MS)));
            if (down.isEmpty()) {
                criteria.add(Criterion.notMeasured("HAProxy marks the node down", "no live LB to ask", "ms",
                        "< " + MARK_DOWN_LIMIT_MS + " ms", "no LB"));
            }
            return load.result(this, criteria);
        }
    }

    static void restore(ScenarioContext ctx, ChaosCluster cluster, ClusterProcess process) {
        try {
            if (!process.alive()) {
                ctx.say("restarting " + process.name());
                process.restart();
            }
            process.awaitReady(Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            ctx.say("could not restore " + process.name() + ": " + e.getMessage());
        }
    }
}
