package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.ScenarioResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Scenario 1: kill -9 one of the gateway nodes under a steady rate. */
public final class GatewayKillScenario implements Scenario {
    static final long MARK_DOWN_LIMIT_MS = 1500;
    /** How long past the alert's bound the node stays down, so an alert that is late shows by how much. */
    static final Duration ALERT_MARGIN = Duration.ofSeconds(15);

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
                + "every ms); every HAProxy marks it down in < 1.5 s (runtime API polled every 50 ms). Full run only: "
                + "the node stays down until Prometheus' LoomgateNodeDown alert for it is active in Alertmanager, "
                + "which must happen within the rule's for: + 2 scrape intervals + 1 evaluation interval (read from "
                + "the rendered prometheus.yml and rules); the quick version skips that (it would take over 30 s).";
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
            Optional<Criterion> alerted = ctx.quick() ? Optional.empty()
                    : Optional.of(awaitNodeDownAlert(ctx, cluster, victim, killed, load));
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
            alerted.ifPresent(criteria::add);
            return load.result(this, criteria);
        }
    }

    /**
     * Keeps the node down until its node-down alert is active in Alertmanager (or the bound plus a margin passed, so
     * a late alert still shows its figure). Only the full run waits: the rule's {@code for:} alone is 30 s.
     */
    static Criterion awaitNodeDownAlert(ScenarioContext ctx, ChaosCluster cluster, ClusterProcess victim,
                                        long killedMillis, UnderLoad load) throws Exception {
        Optional<ChaosCluster.Monitoring> monitoring = cluster.monitoring();
        if (monitoring.isEmpty()) {
            return Criterion.notMeasured("node-down alert in Alertmanager", "LoomgateNodeDown for " + victim.name()
                    + " active in Alertmanager", "s", "<= for + 2 scrapes + evaluation", "no Alertmanager in the cluster");
        }
        AlertWatch.Bound bound = AlertWatch.bound(monitoring.get().prometheusConfig(), AlertWatch.NODE_DOWN,
                "loomgate-gateway");
        long waitMillis = killedMillis + bound.total().toMillis() + ALERT_MARGIN.toMillis() - load.now();
        ctx.say("waiting for " + AlertWatch.NODE_DOWN + " on " + victim.name() + " in Alertmanager (bound "
                + bound.total().toSeconds() + " s = " + bound.explained() + ")");
        OptionalLong seen = AlertWatch.awaitFiring(cluster, monitoring.get().alertmanagerUrl(), AlertWatch.NODE_DOWN,
                victim.name(), load.faults().clock(), Duration.ofMillis(Math.max(0, waitMillis)));
        OptionalLong after = seen.isPresent() ? OptionalLong.of(seen.getAsLong() - killedMillis) : OptionalLong.empty();
        ctx.say(AlertWatch.NODE_DOWN + " for " + victim.name() + (after.isPresent()
                ? " active in Alertmanager " + after.getAsLong() + " ms after the kill" : " not seen in Alertmanager"));
        return ScenarioCriteria.alertReachedAlertmanager(AlertWatch.NODE_DOWN, victim.name(), after,
                bound.forDuration(), bound.total(), bound.explained());
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
