package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.FaultEvent;
import dev.loomgate.chaos.report.ScenarioResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Scenario 7 (namespace mode): one gateway node cut off from Redis and the sentinels. The Redis side drops
 * every packet to the node (blackhole route), so the node sees silence, not resets.
 */
public final class RedisPartitionScenario implements Scenario {

    @Override
    public int number() {
        return 7;
    }

    @Override
    public String name() {
        return "one node partitioned from Redis";
    }

    @Override
    public String description() {
        return "Mixed load plus the rate-limited route; the hosts of Redis and the sentinels get a blackhole route "
                + "to the second gateway node for 10 s, then it is removed. Goals: 0 5xx from that node; its "
                + "limiter degrades (" + RedisBlackholeScenario.DEGRADED + " = 1) during the partition and "
                + "recovers (back to 0) within 15 s after. Needs namespace mode.";
    }

    @Override
    public boolean needsNamespaces() {
        return true;
    }

    @Override
    public ScenarioResult run(ChaosCluster cluster, ScenarioContext ctx) throws Exception {
        NetworkControl net = cluster.network().orElseThrow(() -> new IllegalStateException(
                "needs namespace mode (root)"));
        ClusterProcess victim = cluster.gateways().get(1);
        String victimAddress = net.address(net.hostOf(victim));
        // one blackhole route per namespace: Redis, replica and sentinels may share one
        Map<String, String> byNamespace = new LinkedHashMap<>();
        List<ClusterProcess> redisSide = new ArrayList<>(cluster.redisServers());
        redisSide.addAll(cluster.sentinels());
        for (ClusterProcess p : redisSide) {
            String host = net.hostOf(p);
            byNamespace.putIfAbsent(net.namespace(host), host);
        }
        byNamespace.remove(net.namespace(net.hostOf(victim)));
        Set<String> redisHosts = new LinkedHashSet<>(byNamespace.values());
        Duration before = Duration.ofSeconds(5);
        Duration partition = Duration.ofSeconds(10);
        Duration recoveryLimit = Duration.ofSeconds(15);
        try (UnderLoad load = UnderLoad.startWithLimited(cluster, ctx,
                before.plus(partition).plus(recoveryLimit))) {
            load.at(before);
            ctx.say("partition " + victim.name() + " (" + victimAddress + ") from " + redisHosts);
            FaultLog.Span span = load.faults().begin("partition from Redis", victim.name(), () -> {
                for (String h : redisHosts) {
                    net.run(h, "ip", "route", "add", "blackhole", victimAddress + "/32");
                }
            });
            FaultEvent fault;
            OptionalLong degraded;
            try {
                degraded = Polling.until(load.faults().clock(), Duration.ofMillis(100), partition,
                        () -> GatewayAdmin.metric(cluster, victim, RedisBlackholeScenario.DEGRADED)
                                .orElse(0) >= 1);
                load.at(before.plus(partition));
            } finally {
                fault = span.end(() -> {
                    for (String h : redisHosts) {
                        net.run(h, "ip", "route", "del", "blackhole", victimAddress + "/32");
                    }
                });
            }
            OptionalLong recovered = degraded.isEmpty() ? OptionalLong.empty() : Polling.until(
                    load.faults().clock(), Duration.ofMillis(100), recoveryLimit,
                    () -> GatewayAdmin.metric(cluster, victim, RedisBlackholeScenario.DEGRADED)
                            .orElse(1) == 0);
            load.await();
            List<Criterion> criteria = new ArrayList<>();
            criteria.add(ScenarioCriteria.noServerErrorsFrom(load.allRecords(), victim.name()));
            criteria.add(ScenarioCriteria.observedWithin("limiter degraded on " + victim.name(),
                    "time from the partition until " + RedisBlackholeScenario.DEGRADED + " = 1 on the node",
                    shift(degraded, fault.startMillis()), partition.toMillis()));
            criteria.add(degraded.isEmpty()
                    ? Criterion.notMeasured("limiter recovered on " + victim.name(), "it never degraded",
                    "ms", "<= " + recoveryLimit.toMillis() + " ms", "nothing to recover from")
                    : ScenarioCriteria.observedWithin("limiter recovered on " + victim.name(),
                    "time from the end of the partition until " + RedisBlackholeScenario.DEGRADED + " = 0",
                    shift(recovered, fault.endMillis()), recoveryLimit.toMillis()));
            long victimDecisions = load.limitedRecords().stream().filter(r -> r.node().filter(
                    victim.name()::equals).isPresent() && r.startMillis() >= fault.startMillis()
                    && r.startMillis() < fault.endMillis()).count();
            ctx.say(victim.name() + " answered " + victimDecisions + " rate-limited requests during the partition");
            return load.result(this, criteria);
        }
    }

    private static OptionalLong shift(OptionalLong at, long from) {
        return at.isPresent() ? OptionalLong.of(at.getAsLong() - from) : OptionalLong.empty();
    }
}
