package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.FaultEvent;
import dev.loomgate.chaos.report.ScenarioResult;
import dev.loomgate.chaos.report.Window;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * Scenario 8: Redis black-holed: every redis-server gets SIGSTOP, so connections hang (the kernel still accepts
 * them, nothing answers, nothing resets) and no replica can be promoted.
 */
public final class RedisBlackholeScenario implements Scenario {
    static final String DEGRADED = "loomgate_ratelimit_degraded";

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
                + "failover) for 12 s (8 s quick), then SIGCONT. Goals: 0 5xx; once every node's Redis breaker is "
                + "open (" + DEGRADED + " = 1 on each), p99 of the rate-limited route is within 1 ms of its value "
                + "in the 5 s before the fault.";
    }

    @Override
    public ScenarioResult run(ChaosCluster cluster, ScenarioContext ctx) throws Exception {
        Duration before = Duration.ofSeconds(6);
        Duration stopped = ctx.phase(Duration.ofSeconds(12), Duration.ofSeconds(8));
        List<ClusterProcess> redis = cluster.redisServers();
        try (UnderLoad load = UnderLoad.startWithLimited(cluster, ctx, before.plus(stopped).plusSeconds(5))) {
            load.at(before);
            ctx.say("SIGSTOP every redis-server");
            FaultLog.Span span = load.faults().begin("SIGSTOP", "every redis-server",
                    () -> redis.forEach(ClusterProcess::sigstop));
            FaultEvent fault;
            OptionalLong open;
            try {
                open = Polling.until(load.faults().clock(), Duration.ofMillis(100), stopped.minusSeconds(1),
                        () -> cluster.gateways().stream().allMatch(gw ->
                                GatewayAdmin.metric(cluster, gw, DEGRADED).orElse(0) >= 1));
                load.at(before.plus(stopped));
            } finally {
                fault = span.end(() -> redis.forEach(ClusterProcess::sigcont));
            }
            ctx.say("breaker open on every node: " + (open.isPresent()
                    ? (open.getAsLong() - fault.startMillis()) + " ms after SIGSTOP" : "not seen"));
            load.await();
            Window baseline = Window.before(fault, 5000);
            Criterion p99 = open.isPresent()
                    ? ScenarioCriteria.p99WithinOfBaseline(load.limitedRecords(),
                    new Window(open.getAsLong(), fault.endMillis()), baseline, 1.0)
                    : Criterion.notMeasured("p99 increase with the breaker open", "the breaker never opened on "
                    + "every node", "ms", "<= 1 ms", "no window");
            List<Criterion> criteria = List.of(
                    ScenarioCriteria.noServerErrors(load.allRecords()),
                    ScenarioCriteria.observedWithin("Redis breaker open on every node",
                            "time from SIGSTOP until every node reports " + DEGRADED + " = 1",
                            open.isPresent() ? OptionalLong.of(open.getAsLong() - fault.startMillis())
                                    : OptionalLong.empty(), stopped.toMillis()),
                    p99);
            return load.result(this, criteria);
        }
    }
}
