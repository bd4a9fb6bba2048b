package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.ScenarioResult;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Scenario 5: the Consul stand-in stopped for 30 s, then a route change pushed after it returns. */
public final class ConsulOutageScenario implements Scenario {

    @Override
    public int number() {
        return 5;
    }

    @Override
    public String name() {
        return "Consul stopped for 30 s";
    }

    @Override
    public String description() {
        return "Under steady mixed load the Consul stand-in is stopped (SIGTERM) for 30 s (10 s in the quick "
                + "version) and started again; then a routes document with a new version is pushed. Goals: 0 failed "
                + "requests; every gateway node serves the new version (polled on /admin/config for up to 30 s).";
    }

    @Override
    public ScenarioResult run(ChaosCluster cluster, ScenarioContext ctx) throws Exception {
        Duration before = ctx.phase(Duration.ofSeconds(5), Duration.ofSeconds(3));
        Duration outage = ctx.phase(Duration.ofSeconds(30), Duration.ofSeconds(10));
        Duration after = Duration.ofSeconds(15);
        ClusterProcess consul = cluster.consul();
        try (UnderLoad load = UnderLoad.start(cluster, ctx, before.plus(outage).plus(after).plusSeconds(30))) {
            load.at(before);
            ctx.say("stopping " + consul.name() + " for " + outage.toSeconds() + " s");
            FaultLog.Span span = load.faults().begin("stopped", consul.name(), consul::sigterm);
            consul.awaitExit(Duration.ofSeconds(10));
            load.at(before.plus(outage));
            span.end(() -> {
                consul.restart();
                consul.awaitReady(Duration.ofSeconds(30));
            });
            String version = "chaos5-" + load.now();
            long pushed = load.faults().instant("route change pushed", version,
                    () -> RoutesDocs.push(cluster, ctx.outDir(), version));
            OptionalLong everywhere = Polling.until(load.faults().clock(), Duration.ofMillis(100),
                    Duration.ofSeconds(30), () -> versions(cluster).values().stream()
                            .allMatch(v -> v.filter(version::equals).isPresent()));
            ctx.say("version " + version + " on every node: " + (everywhere.isPresent()
                    ? (everywhere.getAsLong() - pushed) + " ms after the push" : "not within 30 s"));
            load.at(Duration.ofMillis(load.now() - load.startMillis() + 3000));
            load.stop();
            load.await();
            Map<String, Optional<String>> seen = versions(cluster);
            List<Criterion> criteria = List.of(
                    ScenarioCriteria.noFailures(load.records()),
                    ScenarioCriteria.nodesServing(seen, version));
            return load.result(this, criteria);
        }
    }

    static Map<String, Optional<String>> versions(ChaosCluster cluster) {
        Map<String, Optional<String>> out = new java.util.LinkedHashMap<>();
        for (ClusterProcess gw : cluster.gateways()) {
            out.put(gw.name(), GatewayAdmin.configVersion(cluster, gw));
        }
        return out;
    }
}
