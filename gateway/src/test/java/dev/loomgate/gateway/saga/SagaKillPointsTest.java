package dev.loomgate.gateway.saga;

import dev.loomgate.gateway.demo.DemoParticipant;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.testsupport.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The orchestrating node dies at the three points that matter, made exact by a participant that holds the call:
 * while a step's call is out (before its effect), after a step took effect but before the log says so, and during
 * compensation. Another node must finish the saga from the log, with the invariant intact and no duplicate effect.
 */
class SagaKillPointsTest {
    private RedisTestServers servers;
    private SagaRig rig;
    private TestGateway a;
    private TestGateway b;

    @BeforeEach
    void start() throws Exception {
        servers = RedisTestServers.create();
        rig = new SagaRig(RedisSettings.standalone("127.0.0.1", servers.startServer().port()), "1s", "5s", true);
        a = rig.startNode();
        b = rig.startNode();
    }

    @AfterEach
    void stop() {
        rig.close();
        servers.close();
    }

    private String startOnA(String body) throws Exception {
        HttpResponse<String> r = SagaRig.post(a, "/place-order", body);
        assertEquals(202, r.statusCode(), r.body());
        return SagaRig.json(r.body()).getString("id");
    }

    private String finalOnB(String id) {
        return Await.value("saga final on node b", Duration.ofSeconds(15),
                () -> SagaRig.sagas(b).status(id).orElseThrow().getString("state"),
                s -> s.equals("completed") || s.equals("compensated"));
    }

    private void crashA(DemoParticipant holding) {
        Await.until("a call held at " + holding, () -> holding.hanging() > 0);
        SagaRig.sagas(a).halt();
        holding.release(); // the dead node's call lands late: the participant may apply it now
    }

    @Test
    void diesWhileThePivotCallIsOut() throws Exception {
        rig.payments.hang("try");
        String id = startOnA("{\"item\":\"a\"}");
        crashA(rig.payments);
        assertEquals("completed", finalOnB(id), "pivot started: resent forward with the same key");
        assertTrue(SagaRig.sagas(b).metrics().takeovers.sum() >= 1);
        assertEquals(List.of(), rig.violations(Map.of(id, "completed"), false));
        assertEquals(0, rig.duplicateEffects());
    }

    @Test
    void diesAfterAStepTookEffectBeforeTheLogSaysSo() throws Exception {
        rig.stock.hangAfterEffect("try");
        String id = startOnA("{\"item\":\"b\"}");
        crashA(rig.stock);
        assertEquals("compensated", finalOnB(id), "compensatable step started: recovered backward");
        assertEquals(DemoParticipant.Holding.CANCELLED, rig.stock.holding(id).orElseThrow(), "the unlogged effect was undone");
        assertEquals(DemoParticipant.Holding.CANCELLED, rig.orders.holding(id).orElseThrow());
        assertEquals(List.of(), rig.violations(Map.of(id, "compensated"), false));
        assertEquals(0, rig.duplicateEffects());
    }

    @Test
    void diesDuringCompensation() throws Exception {
        rig.stock.hangAfterEffect("cancel");
        String id = startOnA("{\"item\":\"c\",\"rejectPayment\":true}");
        crashA(rig.stock);
        assertEquals("compensated", finalOnB(id));
        assertTrue(rig.stock.redeliveries() >= 1, "the repeated cancel was absorbed by its idempotency key");
        assertEquals(List.of(), rig.violations(Map.of(id, "compensated"), false));
        assertEquals(0, rig.duplicateEffects());
    }

    @Test
    void tccTryArrivingAfterItsCancelIsRefused() throws Exception {
        rig.stock.hang("try"); // the try to stock is out when node a dies, and lands only after the cancel
        Thread client = Thread.ofVirtual().start(() -> {
            try {
                SagaRig.post(a, "/book", "{}");
            } catch (Exception e) {
                // node a stopped answering sagas: fine
            }
        });
        Await.until("try held at stock", () -> rig.stock.hanging() > 0);
        String id = SagaRig.sagas(a).runningIds().iterator().next();
        SagaRig.sagas(a).halt();
        assertEquals("compensated", finalOnB(id), "trying when the node died: cancel all");
        assertEquals(DemoParticipant.Holding.EMPTY_CANCELLED, rig.stock.holding(id).orElseThrow(), "empty rollback");
        long refusedBefore = rig.stock.suspensionsRefused();
        rig.stock.release();
        Await.until("late try refused", () -> rig.stock.suspensionsRefused() > refusedBefore);
        assertEquals(DemoParticipant.Holding.EMPTY_CANCELLED, rig.stock.holding(id).orElseThrow(), "suspension: no reservation");
        assertEquals(DemoParticipant.Holding.CANCELLED, rig.orders.holding(id).orElseThrow());
        assertEquals(List.of(), rig.violations(Map.of(id, "compensated"), true));
        client.join();
    }
}
