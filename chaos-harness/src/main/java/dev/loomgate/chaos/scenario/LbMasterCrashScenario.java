package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.ScenarioResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Scenario 3 (namespace mode): the LB host holding the VIP crashes: HAProxy and keepalived kill -9, link down. */
public final class LbMasterCrashScenario implements Scenario {
    static final long FAILOVER_LIMIT_MS = 1000;

    @Override
    public int number() {
        return 3;
    }

    @Override
    public String name() {
        return "LB master crash";
    }

    @Override
    public String description() {
        return "Under steady mixed load through the VIP, the LB that holds it crashes: its link is taken down (no RST, "
                + "no FIN, no goodbye advert), then its keepalived and HAProxy get kill -9. Goals: the VIP answers "
                + "from the backup LB within 1 s; failures only inside that window (or in flight at the crash). "
                + "Needs namespace mode.";
    }

    @Override
    public boolean needsNamespaces() {
        return true;
    }

    @Override
    public ScenarioResult run(ChaosCluster cluster, ScenarioContext ctx) throws Exception {
        NetworkControl net = cluster.network().orElseThrow(() -> new IllegalStateException(
                "needs namespace mode (root)"));
        String masterName = answeringLb(cluster)
                .orElseThrow(() -> new IllegalStateException("the VIP does not name its LB (X-Loomgate-LB)"));
        ClusterProcess master = cluster.lbs().stream().filter(lb -> lb.name().equals(masterName)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no LB named " + masterName));
        ClusterProcess backup = cluster.lbs().stream().filter(lb -> lb != master).findFirst()
                .orElseThrow(() -> new IllegalStateException("needs two LBs"));
        Optional<ClusterProcess> keepalived = cluster.keepalived(master);
        String host = net.hostOf(master);
        Duration total = ctx.phase(Duration.ofSeconds(20), Duration.ofSeconds(12));
        try (UnderLoad load = UnderLoad.start(cluster, ctx, total)) {
            load.at(ctx.phase(Duration.ofSeconds(6), Duration.ofSeconds(4)));
            ctx.say("crash of " + master.name() + ": link down, kill -9 keepalived + haproxy");
            // link first: a crashed host sends nothing, not even the priority-0 advert a dying keepalived
            // (or one tracking HAProxy) would send to hand the VIP over at once
            long crashed = load.faults().instant("host crash", master.name(), () -> {
                net.linkDown(host);
                keepalived.ifPresent(ClusterProcess::kill9);
                master.kill9();
            });
            load.await();
            net.linkUp(host);
            keepalived.ifPresent(k -> GatewayKillScenario.restore(ctx, cluster, k));
            GatewayKillScenario.restore(ctx, cluster, master);
            List<Criterion> criteria = new ArrayList<>(ScenarioCriteria.vipFailover(load.records(), backup.name(),
                    crashed, FAILOVER_LIMIT_MS));
            return load.result(this, criteria);
        }
    }

    /** Which LB answers the front right now. */
    static Optional<String> answeringLb(ChaosCluster cluster) {
        try {
            return cluster.httpGet(cluster.frontUrl().resolve("/")).header("X-Loomgate-LB");
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }
}
