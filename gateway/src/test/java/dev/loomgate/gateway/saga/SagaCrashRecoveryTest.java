package dev.loomgate.gateway.saga;

import dev.loomgate.gateway.demo.DemoParticipant;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.testsupport.Await;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * 200 sagas at a steady rate over 3 gateway nodes; every second or so the node a saga runs on is stopped abruptly
 * (its saga engine halted: nothing more is sent or written, leases are left to run out, as in a crash) and replaced.
 * Every saga must reach a final state within lease + a bound on another node, the invariant must hold, and the
 * participants must see no duplicate effect.
 */
class SagaCrashRecoveryTest {
    private static final int SAGAS = 200;
    private static final long PACE_MS = 30;
    private static final Duration LEASE = Duration.ofSeconds(1);
    private static final Duration BOUND = Duration.ofSeconds(10);

    private record Kill(long atMs, Set<String> running, long compensating) {
    }

    @Test
    void everySagaFinishesOnAnotherNodeAndTheInvariantHolds() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            RedisTestServers.Server redis = servers.startServer();
            try (SagaRig rig = new SagaRig(RedisSettings.standalone("127.0.0.1", redis.port()), "1s", "5s", true)) {
                rig.orders.jitter(150);
                rig.stock.jitter(150);
                rig.payments.jitter(150);
                List<TestGateway> live = new CopyOnWriteArrayList<>();
                for (int i = 0; i < 3; i++) {
                    live.add(rig.startNode());
                }
                Set<String> accepted = ConcurrentHashMap.newKeySet();
                AtomicInteger refused = new AtomicInteger();
                List<Kill> kills = new CopyOnWriteArrayList<>();
                Thread load = Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < SAGAS; i++) {
                        TestGateway g = live.get(i % live.size());
                        boolean reject = ThreadLocalRandom.current().nextInt(5) == 0;
                        try {
                            HttpResponse<String> r = SagaRig.post(g, "/place-order",
                                    "{\"item\":\"i" + i + "\",\"qty\":1,\"rejectPayment\":" + reject + "}");
                            if (r.statusCode() == 202) {
                                accepted.add(SagaRig.json(r.body()).getString("id"));
                            } else {
                                refused.incrementAndGet();
                            }
                        } catch (Exception e) {
                            refused.incrementAndGet(); // the node died under this request
                        }
                        try {
                            Thread.sleep(PACE_MS);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                // kill a random node at random points while the load runs, and replace it
                while (load.isAlive()) {
                    Thread.sleep(400 + ThreadLocalRandom.current().nextInt(800));
                    if (!load.isAlive()) {
                        break;
                    }
                    TestGateway victim = live.get(ThreadLocalRandom.current().nextInt(live.size()));
                    SagaService engine = SagaRig.sagas(victim);
                    Set<String> running = engine.runningIds();
                    engine.halt();
                    long compensating = running.stream().flatMap(id -> engine.status(id).stream())
                            .filter(s -> s.getString("state").equals("compensating")).count();
                    kills.add(new Kill(System.currentTimeMillis(), running, compensating));
                    live.add(rig.startNode());
                    live.remove(victim);
                    rig.nodes.remove(victim);
                    victim.close();
                }
                load.join();
                long loadEnd = System.currentTimeMillis();
                // every saga anyone saw: accepted by a client, or known to a participant (client cut off by a kill)
                Set<String> ids = ConcurrentHashMap.newKeySet();
                ids.addAll(accepted);
                for (DemoParticipant p : List.of(rig.orders, rig.stock, rig.payments)) {
                    ids.addAll(p.holdings().keySet());
                }
                SagaService observer = SagaRig.sagas(live.get(0));
                // and every saga in the log (a saga whose client was cut off before any participant call)
                observer.list(Optional.empty(), 1000).forEach(s -> ids.add(s.getString("id")));
                Map<String, String> states = new HashMap<>();
                Await.until("every saga final", LEASE.plus(BOUND).plus(Duration.ofSeconds(5)), () -> {
                    for (String id : ids) {
                        if (!states.containsKey(id)) {
                            Optional<JsonObject> s = observer.status(id);
                            if (s.isPresent() && Set.of("completed", "compensated").contains(s.get().getString("state"))) {
                                states.put(id, s.get().getString("state"));
                            }
                        }
                    }
                    return states.size() == ids.size();
                });
                long maxAfterKill = 0;
                int interrupted = 0;
                for (Kill k : kills) {
                    for (String id : k.running()) {
                        long updated = observer.status(id).orElseThrow().getJsonNumber("updated").longValue();
                        if (updated > k.atMs()) {
                            interrupted++;
                            maxAfterKill = Math.max(maxAfterKill, updated - k.atMs());
                        }
                    }
                }
                long completed = states.values().stream().filter("completed"::equals).count();
                System.out.printf("saga crash run: %d sagas seen (%d accepted, %d requests cut by kills), %d kills,"
                                + " %d sagas interrupted mid-run (%d of them compensating) and finished elsewhere, max %d ms from kill to final,"
                                + " %d completed / %d compensated, %d redeliveries absorbed, %d duplicate effects,"
                                + " %d ms after the load ended%n",
                        ids.size(), accepted.size(), refused.get(), kills.size(), interrupted,
                        kills.stream().mapToLong(Kill::compensating).sum(), maxAfterKill, completed,
                        states.size() - completed, rig.redeliveries(), rig.duplicateEffects(),
                        System.currentTimeMillis() - loadEnd);
                assertTrue(accepted.size() >= SAGAS - refused.get(), "accepted " + accepted.size());
                assertTrue(kills.size() >= 3, "kills: " + kills.size());
                assertTrue(interrupted > 0, "some kill must land mid-saga for the test to mean anything");
                assertTrue(maxAfterKill <= LEASE.plus(BOUND).toMillis(), "kill to final: " + maxAfterKill + " ms");
                List<String> violations = new ArrayList<>(rig.violations(states, false));
                violations.addAll(rig.orphans(states));
                assertEquals(List.of(), violations);
                assertEquals(0, rig.duplicateEffects(), "duplicate effects at participants");
            }
        }
    }
}
