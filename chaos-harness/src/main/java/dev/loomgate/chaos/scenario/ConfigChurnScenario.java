package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.ScenarioResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Scenario 9: 200 route pushes while the Consul stand-in is restarted twice and one gateway node once; at the end
 * every node must serve the last version that was accepted.
 */
public final class ConfigChurnScenario implements Scenario {

    @Override
    public int number() {
        return 9;
    }

    @Override
    public String name() {
        return "config churn";
    }

    @Override
    public String description() {
        return "Under steady load, 200 routes documents (60 quick) are pushed 100 ms apart while the Consul stand-in "
                + "is restarted twice (at 1/4 and 3/4 of the pushes) and the last gateway node once (at 1/2). Pushes "
                + "refused while Consul is down are counted, not hidden; a final push follows once all is back. Goal: "
                + "every node serves the last accepted version (no change silently lost).";
    }

    @Override
    public ScenarioResult run(ChaosCluster cluster, ScenarioContext ctx) throws Exception {
        int pushes = ctx.quick() ? 60 : 200;
        ClusterProcess consul = cluster.consul();
        ClusterProcess node = cluster.gateways().getLast();
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicReference<String> last = new AtomicReference<>("");
        try (UnderLoad load = UnderLoad.start(cluster, ctx, Duration.ofMinutes(3))) {
            load.at(Duration.ofSeconds(3));
            List<Thread> faults = new ArrayList<>();
            for (int i = 0; i < pushes; i++) {
                if (i == pushes / 4 || i == pushes * 3 / 4) {
                    faults.add(Thread.ofVirtual().start(() -> restart(ctx, load, consul)));
                }
                if (i == pushes / 2) {
                    faults.add(Thread.ofVirtual().start(() -> restart(ctx, load, node)));
                }
                push(cluster, ctx, load, "chaos9-" + i, accepted, refused, last);
                Thread.sleep(100);
            }
            for (Thread t : faults) {
                t.join(Duration.ofSeconds(90));
            }
            // the final push happens with everything back: it must not be lost either
            push(cluster, ctx, load, "chaos9-final", accepted, refused, last);
            String version = last.get();
            ctx.say(accepted + " pushes accepted, " + refused + " refused; waiting for " + version + " on every node");
            Polling.until(load.faults().clock(), Duration.ofMillis(200), Duration.ofSeconds(30),
                    () -> ConsulOutageScenario.versions(cluster).values().stream()
                            .allMatch(v -> v.filter(version::equals).isPresent()));
            Map<String, Optional<String>> seen = ConsulOutageScenario.versions(cluster);
            load.stop();
            load.await();
            List<Criterion> criteria = new ArrayList<>();
            criteria.add(ScenarioCriteria.nodesServing(seen, version));
            criteria.add(Criterion.atLeast("pushes accepted", "pushes the routes CLI reported as written ("
                    + refused + " refused while Consul was down)", accepted.get(), "pushes", 1));
            return load.result(this, criteria);
        }
    }

    private static void push(ChaosCluster cluster, ScenarioContext ctx, UnderLoad load, String version,
                             AtomicInteger accepted, AtomicInteger refused, AtomicReference<String> last) {
        try {
            RoutesDocs.push(cluster, ctx.outDir().resolve("pushes"), version);
            accepted.incrementAndGet();
            last.set(version);
        } catch (Exception e) {
            refused.incrementAndGet();
        }
    }

    private static void restart(ScenarioContext ctx, UnderLoad load, ClusterProcess process) {
        try {
            ctx.say("restarting " + process.name());
            FaultLog.Span span = load.faults().begin("restart", process.name(), process::sigterm);
            process.awaitExit(Duration.ofSeconds(60));
            span.end(() -> {
                process.restart();
                process.awaitReady(Duration.ofSeconds(60));
            });
        } catch (Exception e) {
            ctx.say("restart of " + process.name() + " failed: " + e.getMessage());
        }
    }
}
