package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.ScenarioResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scenario 9: 200 route pushes while the Consul stand-in is restarted twice and one gateway node once; every push
 * must end accepted or refused by the compare-and-set, and at the end every node must serve the final version.
 */
public final class ConfigChurnScenario implements Scenario {
    /** How long one push may keep finding Consul unreachable (a restart takes a few seconds) before it counts as lost. */
    static final Duration PUSH_PATIENCE = Duration.ofSeconds(60);
    static final String FINAL_VERSION = "chaos9-final";

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
                + "is restarted twice (at 1/4 and 3/4 of the pushes) and the last gateway node once (at 1/2). A push "
                + "that finds Consul unreachable is tried again, as a deploy job would, until Consul answers (at most "
                + PUSH_PATIENCE.toSeconds() + " s); one cut off in the middle is taken over with --force. A final push "
                + "follows once all is back. Goals: every push accepted or refused by the CAS on the version key "
                + "(a stated conflict), none lost or failed otherwise; every node serves the final version.";
    }

    @Override
    public ScenarioResult run(ChaosCluster cluster, ScenarioContext ctx) throws Exception {
        int pushes = ctx.quick() ? 60 : 200;
        ClusterProcess consul = cluster.consul();
        ClusterProcess node = cluster.gateways().getLast();
        List<PushRecord> done = new ArrayList<>();
        try (UnderLoad load = UnderLoad.start(cluster, ctx, Duration.ofMinutes(5))) {
            load.at(Duration.ofSeconds(3));
            List<Thread> faults = new ArrayList<>();
            for (int i = 0; i < pushes; i++) {
                if (i == pushes / 4 || i == pushes * 3 / 4) {
                    faults.add(Thread.ofVirtual().start(() -> restart(ctx, load, consul)));
                }
                if (i == pushes / 2) {
                    faults.add(Thread.ofVirtual().start(() -> restart(ctx, load, node)));
                }
                done.add(push(cluster, ctx, load, "chaos9-" + i));
                Thread.sleep(100);
            }
            for (Thread t : faults) {
                t.join(Duration.ofSeconds(90));
            }
            // the final push happens with everything back: it must not be lost either
            done.add(push(cluster, ctx, load, FINAL_VERSION));
            List<RoutesPush.Outcome> outcomes = done.stream().map(p -> p.result().outcome()).toList();
            long retried = done.stream().filter(p -> p.unreachable() > 0).count();
            ctx.say(done.size() + " pushes: " + summary(outcomes) + "; " + retried
                    + " found Consul unreachable at first and were tried again; waiting for " + FINAL_VERSION
                    + " on every node");
            done.stream().filter(p -> p.result().outcome() != RoutesPush.Outcome.ACCEPTED)
                    .forEach(p -> ctx.say("push " + p.version() + ": " + p.result().reason()));
            Polling.until(load.faults().clock(), Duration.ofMillis(200), Duration.ofSeconds(30),
                    () -> ConsulOutageScenario.versions(cluster).values().stream()
                            .allMatch(v -> v.filter(FINAL_VERSION::equals).isPresent()));
            Map<String, Optional<String>> seen = ConsulOutageScenario.versions(cluster);
            load.stop();
            load.await();
            List<Criterion> criteria = new ArrayList<>();
            criteria.add(ScenarioCriteria.nodesServing(seen, FINAL_VERSION));
            criteria.add(ScenarioCriteria.pushesAccountedFor(outcomes, retried));
            return load.result(this, criteria);
        }
    }

    /** One push as scenario 9 made it: the version, how it ended, and how often Consul was unreachable first. */
    record PushRecord(String version, RoutesPush result, int unreachable, boolean forced) {
    }

    static String summary(List<RoutesPush.Outcome> outcomes) {
        Map<RoutesPush.Outcome, Long> counts = new java.util.EnumMap<>(RoutesPush.Outcome.class);
        for (RoutesPush.Outcome o : RoutesPush.Outcome.values()) {
            counts.put(o, outcomes.stream().filter(o::equals).count());
        }
        return counts.get(RoutesPush.Outcome.ACCEPTED) + " accepted, " + counts.get(RoutesPush.Outcome.CAS_CONFLICT)
                + " refused by CAS conflict, " + counts.get(RoutesPush.Outcome.CONSUL_UNREACHABLE)
                + " Consul still unreachable after " + PUSH_PATIENCE.toSeconds() + " s, "
                + counts.get(RoutesPush.Outcome.OTHER) + " other failures";
    }

    /**
     * Pushes {@code version} until the CLI gives a verdict: accepted, a CAS conflict, or another failure. While
     * Consul is unreachable the same push is tried again every 200 ms (bounded by {@link #PUSH_PATIENCE}); when the
     * version key is left PENDING by this very version (an earlier attempt was cut off by the restart), the push
     * takes it over with --force. Anyone else's unfinished push stays a conflict.
     */
    private static PushRecord push(ChaosCluster cluster, ScenarioContext ctx, UnderLoad load, String version)
            throws Exception {
        Path dir = ctx.outDir().resolve("pushes");
        Files.createDirectories(dir);
        Path file = dir.resolve("routes-" + version + ".yaml");
        Files.writeString(file, RoutesDocs.withVersion(cluster.routesDocument(), version));
        try {
            long deadline = load.now() + PUSH_PATIENCE.toMillis();
            int unreachable = 0;
            boolean force = false;
            while (true) {
                RoutesPush r = cluster.pushRoutes(file, force);
                if (r.outcome() == RoutesPush.Outcome.CONSUL_UNREACHABLE && load.now() < deadline) {
                    unreachable++;
                    Thread.sleep(200);
                } else if (!force && r.ownPushLeftUnfinished(version)) {
                    ctx.say("push " + version + " was cut off earlier; taking it over with --force");
                    force = true;
                } else {
                    return new PushRecord(version, r, unreachable, force);
                }
            }
        } finally {
            Files.deleteIfExists(file);
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
