package dev.loomgate.chaos.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.ScenarioResult;

/**
 * Scenario 11 (issue 15): cache and sessions through a node kill and a Redis failover. Under the mixed load, the
 * cache probe purges and reads a cached route the whole time ({@link CacheProbe}) and the session probe reads its
 * sessions ({@link SessionProbe}); a gateway node is killed, then the Redis master (Sentinel promotes the replica).
 */
public final class SharedStateScenario implements Scenario {

    @Override
    public int number() {
        return 11;
    }

    @Override
    public String name() {
        return "cache and sessions through a node kill and a Redis failover";
    }

    @Override
    public String description() {
        return "Mixed load; a probe purges a cached key through one node's admin API and reads it through the front "
                + "in a loop; kill -9 of the second gateway node, then kill -9 of the Redis master (Sentinel "
                + "failover). Goals: 0 5xx (load and cache probe); after every purge no node serves the old version "
                + "for more than " + (long) CacheProbe.MAX_STALENESS_MS + " ms (L1 is flushed when a node loses its "
                + "invalidation subscription), p99 <= 50 ms; " + SessionProbe.SESSIONS + " sessions opened before the "
                + "faults are read through the front the whole time: 0 lost sessions, 0 5xx on the session route.";
    }

    @Override
    public ScenarioResult run(ChaosCluster cluster, ScenarioContext ctx) throws Exception {
        ClusterProcess gateway = cluster.gateways().get(1);
        ClusterProcess master = cluster.redisMaster();
        Duration total = ctx.phase(Duration.ofSeconds(30), Duration.ofSeconds(18));
        SessionProbe sessions = SessionProbe.start(cluster, ctx); // publishes its session route first
        try (UnderLoad load = UnderLoad.start(cluster, ctx, total); CacheProbe cache = CacheProbe.start(cluster);
             sessions) {
            load.at(ctx.phase(Duration.ofSeconds(6), Duration.ofSeconds(4)));
            ctx.say("kill -9 " + gateway.name() + " (pid " + gateway.pid() + ")");
            load.faults().instant("kill -9", gateway.name(), gateway::kill9);
            load.at(ctx.phase(Duration.ofSeconds(14), Duration.ofSeconds(9)));
            ctx.say("kill -9 " + master.name() + " (pid " + master.pid() + ")");
            load.faults().instant("kill -9", "redis master " + master.name(), master::kill9);
            load.await();
            cache.close();
            GatewayKillScenario.restore(ctx, cluster, gateway);
            GatewayKillScenario.restore(ctx, cluster, master);
            sessions.close(); // reads every session again until it is back (bounded)
            ctx.say(sessions.summary());
            List<Criterion> criteria = new ArrayList<>();
            criteria.add(ScenarioCriteria.noServerErrors(load.allRecords()));
            criteria.addAll(cache.criteria(load.faults().events()));
            criteria.addAll(sessions.criteria());
            return load.result(this, criteria);
        } finally {
            SessionProbe.restoreRoutes(cluster, ctx);
        }
    }
}
