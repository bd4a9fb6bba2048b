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
                + "those in flight on that node while it died (from the signal until its process was gone, polled "
                + "every ms); every HAProxy marks it down in < 1.5 s (runtime API polled every 50 ms).";
    }

    @Override
    public ScenarioResult run(ChaosCluster cluster, ScenarioContext ctx) throws Exception {
        ClusterProcess victim = cluster.gateways().get(1);
        Duration total = ctx.phase(Duration.ofSeconds(20), Duration.ofSeconds(12));
        Duration killAt = ctx.phase(Duration.ofSeconds(6), Duration.ofSeconds(4));
        try (UnderLoad load = UnderLoad.start(cluster, ctx, total)) {
            load.at(killAt);
            ctx.say("kill -9 " + victim.name() + " (pid " + victim.pid() + ")");
            FaultLog.Span kill = load.faults().begin("kill -9", victim.name(), victim::kill9);
            long killed = kill.startMillis();
            // the kill takes effect when the process is gone: until then its kernel still accepts connections
            var gone = new java.util.concurrent.CompletableFuture<Long>();
            Thread.ofVirtual().start(() -> gone.complete(awaitGone(victim, load)));
            Map<String, OptionalLong> down = LbWatch.markedOut(cluster, victim.name(), killed,
                    load.faults().clock(), Duration.ofSeconds(10));
            long goneAt = gone.join();
            kill.end(() -> { });
            ctx.say(victim.name() + " process gone " + (goneAt - killed) + " ms after the kill signal");
            down.forEach((lb, ms) -> ctx.say(lb + " marked " + victim.name() + " down after "
                    + (ms.isPresent() ? ms.getAsLong() + " ms" : "never (10 s)")));
            load.await();
            restore(ctx, cluster, victim);
            List<Criterion> criteria = new ArrayList<>();
            criteria.add(ScenarioCriteria.noFailedIdempotent(load.records()));
            criteria.add(ScenarioCriteria.nonIdempotentFailuresBoundedByInFlight(load.records(), victim.name(),
                    killed, goneAt));
            down.forEach((lb, ms) -> criteria.add(ScenarioCriteria.markedDownWithin(lb, victim.name(), ms,
                    MARK_DOWN_LIMIT_MS)));
            if (down.isEmpty()) {
                criteria.add(Criterion.notMeasured("HAProxy marks the node down", "no live LB to ask", "ms",
                        "< " + MARK_DOWN_LIMIT_MS + " ms", "no LB"));
            }
            return load.result(this, criteria);
        }
    }

    /**
     * Polls (every millisecond, for at most 10 s) until the killed process is gone (exited: its listening socket is
     * closed), on the load's clock; the poll's end if it never went.
     */
    static long awaitGone(ClusterProcess process, UnderLoad load) {
        long deadline = load.now() + 10_000;
        try {
            while (process.alive() && load.now() < deadline) {
                Thread.sleep(1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return load.now();
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
