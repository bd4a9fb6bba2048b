package dev.loomgate.chaos.scenario;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.ScenarioResult;

/**
 * Scenario 12 (issue 17): place-order sagas through the front at a steady rate beside the mixed load; kill -9 of a
 * gateway node while it orchestrates some of them (sagas are spread over the nodes; the participants are slowed so
 * that every node has sagas mid-run). Another node must finish them from the Redis log after the lease: 0
 * inconsistent sagas (participants' state against the final saga states), every saga final within lease + bound,
 * duplicate effects counted (goal 0). The report draws the sagas per state over time.
 */
public final class SagaKillScenario implements Scenario {
    static final long SAMPLE_MS = 250;
    /** Beyond the lease: takeover scan (250 ms), the resumed calls with their retries, a loaded 2-core box. */
    static final Duration BOUND = Duration.ofSeconds(10);
    /** Up to this much random delay per participant call during the run (0 again afterwards). */
    static final int JITTER_MS = 400;
    /** Sagas pinned to the victim still running when it is killed (the kill waits up to 5 s for that many). */
    static final int MIN_ON_VICTIM = 2;

    @Override
    public int number() {
        return 12;
    }

    @Override
    public String name() {
        return "kill the orchestrating gateway node mid-saga";
    }

    @Override
    public String description() {
        return "POST /place-order (the demo cluster's saga over the orders, stock and payments participants, every "
                + "fifth one refused by payments, so compensated) through the front at a steady rate beside the mixed "
                + "load, participants slowed by up to " + JITTER_MS + " ms a call; each saga pinned in turn to a node "
                + "(HAProxy cookie); kill -9 of the second gateway node while sagas pinned to it run, restarted 3 s "
                + "later. Goals: 0 inconsistent sagas (a completed saga holds a "
                + "reservation at every participant, a compensated one at none, no reservation without a completed "
                + "saga: participants' GET /state against the saga log); every saga open at the kill final within "
                + "lease + " + BOUND.toSeconds() + " s of it, and every saga final at the end; 0 duplicate effects "
                + "(redeliveries absorbed by Idempotency-Key are counted apart).";
    }

    @Override
    public ScenarioResult run(ChaosCluster cluster, ScenarioContext ctx) throws Exception {
        Duration total = ctx.phase(Duration.ofSeconds(30), Duration.ofSeconds(20));
        Duration killAt = ctx.phase(Duration.ofSeconds(8), Duration.ofSeconds(6));
        double rate = ctx.quick() ? 10 : 15;
        Map<String, URI> participants = cluster.sagaParticipants();
        String skip = cluster.clientNamespace().isPresent()
                ? "the saga client runs in this JVM, which cannot reach the namespace VIP"
                : participants.isEmpty() || !cluster.routesDocument().contains("id: " + SagaTraffic.ROUTE)
                ? "the cluster has no saga participants or no " + SagaTraffic.ROUTE + " route" : "";
        if (!skip.isEmpty()) {
            try (UnderLoad load = UnderLoad.start(cluster, ctx, Duration.ofSeconds(1))) {
                load.await();
                return load.result(this, List.of(Criterion.notMeasured("inconsistent sagas", description(), "sagas",
                        "<= 0", skip)));
            }
        }
        Duration lease = SagaTraffic.lease(cluster.routesDocument());
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            SagaTraffic traffic = new SagaTraffic(cluster, http, participants);
            traffic.awaitRoute();
            List<SagaChecks.Participant> before = traffic.participantStates();
            Set<String> earlier = new HashSet<>();
            before.forEach(p -> earlier.addAll(p.holdings().keySet()));
            traffic.jitter(JITTER_MS);
            try {
                return measured(cluster, ctx, traffic, before, earlier, lease, total, killAt, rate);
            } finally {
                traffic.jitter(0);
            }
        }
    }

    private ScenarioResult measured(ChaosCluster cluster, ScenarioContext ctx, SagaTraffic traffic,
                                    List<SagaChecks.Participant> before, Set<String> earlier, Duration lease,
                                    Duration total, Duration killAt, double rate) throws Exception {
        ClusterProcess victim = cluster.gateways().get(1);
        Map<String, SagaChecks.Seen> known = new ConcurrentHashMap<>();
        try (UnderLoad load = UnderLoad.start(cluster, ctx, total)) {
            SagaTraffic.Sampler sampler = traffic.sampler(load::now, System.currentTimeMillis(), known);
            Thread sampling = Thread.ofVirtual().name("saga-sampler").start(sampler);
            List<String> nodes = cluster.gateways().stream().map(ClusterProcess::name).toList();
            Thread submitter = Thread.ofVirtual().name("saga-submitter").start(() ->
                    traffic.submit(rate, total, nodes));
            load.at(killAt);
            // the victim must be orchestrating: wait (bounded) until sagas pinned to it are mid-run
            long waitUntil = load.now() + 5000;
            while (traffic.inFlight(victim.name()) < MIN_ON_VICTIM && load.now() < waitUntil) {
                Thread.sleep(5); // polling the client's in-flight count
            }
            sampler.pollOnce();
            Set<String> openAtKill = new HashSet<>(SagaChecks.notFinal(known));
            int onVictim = traffic.inFlight(victim.name());
            ctx.say("kill -9 " + victim.name() + " (pid " + victim.pid() + ") orchestrating " + onVictim
                    + " sagas (clients waiting), " + openAtKill.size() + " sagas open in the cluster");
            // takeovers counted by the nodes themselves; the victim's counter restarts from 0 with it
            long takeoversBefore = takeovers(cluster, cluster.gateways()) - takeovers(cluster, List.of(victim));
            long killed = load.faults().instant("kill -9", victim.name(), victim::kill9);
            Thread restarter = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(3000); // down a while: its sagas' leases run out and other nodes take them
                } catch (InterruptedException e) {
                    return;
                }
                GatewayKillScenario.restore(ctx, cluster, victim);
            });
            submitter.join();
            restarter.join();
            load.await();
            // every saga a client or a participant saw, also those the list did not show (e.g. cut before a sample)
            Set<String> seenElsewhere = new HashSet<>(traffic.sagaIdsAnswered());
            traffic.participantStates().forEach(p -> seenElsewhere.addAll(p.holdings().keySet()));
            seenElsewhere.removeAll(earlier);
            long settleEnd = load.now() + lease.plus(BOUND).toMillis();
            while (load.now() < settleEnd) {
                sampler.pollOnce();
                traffic.lookUpMissing(seenElsewhere, known);
                if (SagaChecks.notFinal(known).isEmpty() && known.keySet().containsAll(seenElsewhere)) {
                    break;
                }
                Thread.sleep(SAMPLE_MS); // polling the admin API until every saga is final
            }
            sampler.stop();
            sampling.join();
            List<SagaChecks.Participant> after = traffic.participantStates();
            Map<String, String> states = new java.util.TreeMap<>();
            known.forEach((id, s) -> states.put(id, s.state()));
            Map<String, List<String>> violations = SagaChecks.violations(states, after, earlier);
            List<String> notFinal = SagaChecks.notFinal(known);
            OptionalLong killToFinal = SagaChecks.maxKillToFinal(openAtKill, known, killed);
            long duplicates = SagaChecks.duplicateEffects(before, after);
            long redeliveries = SagaChecks.redeliveries(before, after);
            long completed = states.values().stream().filter("completed"::equals).count();
            long compensated = states.values().stream().filter("compensated"::equals).count();
            long takenOver = takeovers(cluster, cluster.gateways()) - takeoversBefore;
            ctx.say("sagas: " + onVictim + " cut on " + victim.name() + "; " + states.size() + " in the log (" + completed + " completed, " + compensated
                    + " compensated, " + notFinal.size() + " not final), client answers " + traffic.outcomes()
                    + "; " + openAtKill.size() + " open in the cluster at the kill, " + takenOver + " taken over by"
                    + " another node (loomgate_saga_takeovers_total), max kill to final " + (killToFinal.isPresent()
                    ? killToFinal.getAsLong() + " ms" : "n/a") + "; inconsistent " + violations.size()
                    + ", duplicate effects " + duplicates + ", redeliveries absorbed " + redeliveries);
            violations.entrySet().stream().limit(10).forEach(e -> ctx.say("  saga " + e.getKey() + ": " + e.getValue()));
            writeSagas(ctx, known, violations);
            List<Criterion> criteria = new ArrayList<>();
            criteria.add(Criterion.atLeast("sagas run", "place-order sagas in the log (the scenario measured "
                    + "something)", states.size(), "sagas", 1));
            criteria.add(Criterion.atLeast("sagas orchestrated by the killed node", "sagas pinned to " + victim.name()
                    + " (HAProxy cookie) whose client was waiting when it was killed: the kill must cut sagas mid-run",
                    onVictim, "sagas", 1));
            criteria.add(Criterion.atLeast("sagas taken over", "sagas another node resumed from the log after the "
                    + "victim's lease ran out (loomgate_saga_takeovers_total, summed over the nodes)", takenOver, "sagas",
                    1));
            criteria.add(Criterion.atMost("inconsistent sagas", "sagas whose participants' state contradicts their "
                    + "final state, or reservations without a completed saga", violations.size(), "sagas", 0));
            criteria.add(killToFinal.isPresent()
                    ? Criterion.atMost("kill to final state", "longest time from the kill to the final log write of "
                    + "a saga open at the kill (lease " + lease.toMillis() + " ms + bound)", killToFinal.getAsLong(),
                    "ms", lease.plus(BOUND).toMillis())
                    : Criterion.notMeasured("kill to final state", "sagas open at the kill", "ms",
                    "<= " + lease.plus(BOUND).toMillis(), "a saga open at the kill is not final, or none was open"));
            criteria.add(Criterion.atMost("sagas not final", "sagas not completed, compensated or aborted lease + "
                    + BOUND.toSeconds() + " s after the load ended", notFinal.size(), "sagas", 0));
            criteria.add(Criterion.atMost("duplicate effects", "effects applied twice at a participant (a repeated "
                    + "call under another key); " + redeliveries + " redeliveries absorbed by Idempotency-Key",
                    duplicates, "effects", 0));
            return load.result(this, criteria).withStates(List.of(SagaChecks.timeline(sampler.samples())));
        }
    }

    /** Sum of {@code loomgate_saga_takeovers_total} over the nodes that answer. */
    private static long takeovers(ChaosCluster cluster, List<ClusterProcess> nodes) {
        return (long) nodes.stream().mapToDouble(g -> GatewayAdmin.metric(cluster, g, "loomgate_saga_takeovers_total")
                .orElse(0)).sum();
    }

    private static void writeSagas(ScenarioContext ctx, Map<String, SagaChecks.Seen> known,
                                   Map<String, List<String>> violations) throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        new java.util.TreeMap<>(known).forEach((id, s) -> sb.append("{\"id\":\"").append(id).append("\",\"state\":\"")
                .append(s.state()).append("\",\"updated_ms\":").append(s.updatedMillis()).append(",\"violations\":")
                .append(violations.getOrDefault(id, List.of()).size()).append("}\n"));
        Files.createDirectories(ctx.outDir());
        Files.writeString(ctx.outDir().resolve("sagas.jsonl"), sb.toString());
    }

    /** POST with a JSON body (the saga client; loopback mode only). */
    static HttpResponse<String> post(HttpClient http, URI uri, String json) throws Exception {
        return post(http, uri, json, Map.of());
    }

    static HttpResponse<String> post(HttpClient http, URI uri, String json, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
