package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.FaultEvent;
import dev.loomgate.chaos.report.ScenarioResult;
import dev.loomgate.chaos.report.Window;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Scenario 8: Redis black-holed: every redis-server gets SIGSTOP, so connections hang (the kernel still accepts
 * them, nothing answers, nothing resets) and no replica can be promoted.
 */
public final class RedisBlackholeScenario implements Scenario {
    static final String DEGRADED = "loomgate_ratelimit_degraded";
    /** The breaker opens after this many consecutive failed calls (rate-limiter.failure-threshold default). */
    static final int BREAKER_CALLS = 5;

    @Override
    public int number() {
        return 8;
    }

    @Override
    public String name() {
        return "Redis black-holed (SIGSTOP)";
    }

    @Override
    public String description() {
        return "Mixed load plus GETs on a rate-limited route; SIGSTOP of every redis-server (no reply, no reset, no "
                + "failover) for 12 s (8 s quick), then SIGCONT. Each node's " + DEGRADED + " is polled every 100 ms. "
                + "Goals: 0 5xx; the breaker opens on every node that made at least " + BREAKER_CALLS
                + " rate-limit decisions during the fault; the p99 of the rate-limited requests each node answered "
                + "after its own breaker opened is within 1 ms of the p99 in the 5 s before the fault; the baseline "
                + "is taken after a warm-up of the same load (15 s, 8 s quick) that no figure includes.";
    }

    @Override
    public ScenarioResult run(ChaosCluster cluster, ScenarioContext ctx) throws Exception {
        Duration before = Duration.ofSeconds(6);
        Duration stopped = ctx.phase(Duration.ofSeconds(12), Duration.ofSeconds(8));
        List<ClusterProcess> redis = cluster.redisServers();
        try (UnderLoad load = UnderLoad.startWithLimited(cluster, ctx, ctx.warmUp(),
                before.plus(stopped).plusSeconds(5))) {
            load.at(before);
            ctx.say("SIGSTOP every redis-server");
            FaultLog.Span span = load.faults().begin("SIGSTOP", "every redis-server",
                    () -> redis.forEach(ClusterProcess::sigstop));
            Map<String, Long> opened = new LinkedHashMap<>();
            FaultEvent fault;
            try {
                long end = span.startMillis() + stopped.toMillis();
                while (load.now() < end) {
                    for (ClusterProcess gw : cluster.gateways()) {
                        if (!opened.containsKey(gw.name())
                                && GatewayAdmin.metric(cluster, gw, DEGRADED).orElse(0) >= 1) {
                            opened.put(gw.name(), load.now());
                        }
                    }
                    Thread.sleep(100);
                }
            } finally {
                fault = span.end(() -> redis.forEach(ClusterProcess::sigcont));
            }
            long stopAt = fault.startMillis();
            opened.forEach((node, at) -> ctx.say(node + ": breaker open " + (at - stopAt) + " ms after SIGSTOP"));
            load.await();
            Window during = new Window(fault.startMillis(), fault.endMillis());
            Map<String, Long> decisions = load.limitedRecords().stream()
                    .filter(r -> r.node().isPresent() && during.contains(r.startMillis()))
                    .collect(Collectors.groupingBy(r -> r.node().get(), Collectors.counting()));
            Set<String> expected = decisions.entrySet().stream().filter(e -> e.getValue() >= BREAKER_CALLS)
                    .map(Map.Entry::getKey).collect(Collectors.toCollection(java.util.TreeSet::new));
            long openOfExpected = expected.stream().filter(opened::containsKey).count();
            List<Criterion> criteria = List.of(
                    ScenarioCriteria.noServerErrors(load.allRecords()),
                    Criterion.atLeast("nodes whose Redis breaker opened",
                            "of the nodes that answered >= " + BREAKER_CALLS + " rate-limited requests during the "
                                    + "fault " + expected + " (requests per node " + decisions + "); opened: "
                                    + opened.keySet(), openOfExpected, "nodes", Math.max(1, expected.size())),
                    ScenarioCriteria.p99AfterBreakersOpened(load.limitedRecords(), opened, fault.endMillis(),
                            Window.before(fault, 5000), 1.0));
            return load.result(this, criteria);
        }
    }
}
