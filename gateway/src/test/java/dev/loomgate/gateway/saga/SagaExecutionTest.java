package dev.loomgate.gateway.saga;

import dev.loomgate.gateway.demo.DemoParticipant;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import dev.loomgate.gateway.cli.LoomgateCli;
import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.testsupport.Await;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One node, real Redis, real participants: the saga outcomes a client sees and what the participants hold. */
class SagaExecutionTest {
    private static RedisTestServers servers;
    private static SagaRig rig;
    private static TestGateway node;

    @BeforeAll
    static void start() throws Exception {
        servers = RedisTestServers.create();
        RedisTestServers.Server redis = servers.startServer();
        rig = new SagaRig(RedisSettings.standalone("127.0.0.1", redis.port()), "2s", "5s", false);
        node = rig.startNode();
    }

    @AfterAll
    static void stop() {
        if (rig != null) {
            rig.close();
        }
        if (servers != null) {
            servers.close();
        }
    }

    private static String state(String id) {
        return SagaRig.sagas(node).status(id).orElseThrow().getString("state");
    }

    @Test
    void allStepsSucceedAndTheComposedResponseComesBack() throws Exception {
        HttpResponse<String> r = SagaRig.post(node, "/place-order", "{\"item\":\"book\",\"qty\":2}");
        assertEquals(201, r.statusCode(), r.body());
        JsonObject body = SagaRig.json(r.body());
        String id = body.getString("saga");
        assertTrue(body.getString("orderId").startsWith("orders-"), r.body());
        assertTrue(body.getString("payment").startsWith("payments-"), r.body());
        assertEquals("completed", state(id));
        assertEquals(DemoParticipant.Holding.RESERVED, rig.orders.holding(id).orElseThrow());
        assertEquals(DemoParticipant.Holding.RESERVED, rig.payments.holding(id).orElseThrow());
        assertTrue(rig.violations(Map.of(id, "completed"), false).isEmpty());
        HttpResponse<String> status = node.get("/sagas/" + id);
        assertEquals(200, status.statusCode(), status.body());
        assertEquals(body.getString("orderId"), SagaRig.json(status.body()).getJsonObject("response").getString("orderId"));
    }

    @Test
    void aPivotRefusalCompensatesEarlierStepsInReverseWithoutRetrying() throws Exception {
        int paymentTries = rig.payments.calls("try");
        HttpResponse<String> r = SagaRig.post(node, "/place-order", "{\"item\":\"pen\",\"qty\":1,\"rejectPayment\":true}");
        assertEquals(409, r.statusCode(), r.body());
        JsonObject p = SagaRig.json(r.body());
        assertEquals("payment", p.getString("failedStep"));
        assertEquals("compensated", p.getString("outcome"));
        assertEquals(422, p.getInt("failedStatus"));
        assertEquals(paymentTries + 1, rig.payments.calls("try"), "a 4xx is not retried");
        String id = p.getString("sagaId");
        assertEquals(DemoParticipant.Holding.CANCELLED, rig.orders.holding(id).orElseThrow());
        assertEquals(DemoParticipant.Holding.CANCELLED, rig.stock.holding(id).orElseThrow());
        assertTrue(rig.payments.holding(id).isEmpty());
        assertTrue(rig.violations(Map.of(id, state(id)), false).isEmpty());
    }

    @Test
    void fiveHundredsAreRetriedWithinTheBound() throws Exception {
        rig.stock.fail("try", 503, 2);
        HttpResponse<String> r = SagaRig.post(node, "/place-order", "{\"item\":\"cup\",\"qty\":1}");
        assertEquals(201, r.statusCode(), r.body());
        rig.stock.fail("try", 503, 3);
        HttpResponse<String> r2 = SagaRig.post(node, "/place-order", "{\"item\":\"cup\",\"qty\":1}");
        assertEquals(409, r2.statusCode(), "3 attempts, 3 failures: " + r2.body());
        JsonObject p = SagaRig.json(r2.body());
        assertEquals("stock", p.getString("failedStep"));
        String id = p.getString("sagaId");
        assertEquals(DemoParticipant.Holding.CANCELLED, rig.orders.holding(id).orElseThrow());
        // the failed step's compensation ran too (effect unknown): an empty rollback at stock
        assertEquals(DemoParticipant.Holding.EMPTY_CANCELLED, rig.stock.holding(id).orElseThrow());
    }

    @Test
    void aStepTimeoutCompensates() throws Exception {
        rig.payments.hang("try");
        try {
            long t0 = System.nanoTime();
            HttpResponse<String> r = SagaRig.post(node, "/place-order", "{\"item\":\"lamp\",\"qty\":1}");
            assertEquals(409, r.statusCode(), r.body());
            JsonObject p = SagaRig.json(r.body());
            assertEquals("payment", p.getString("failedStep"));
            assertTrue(p.getString("detail").contains("timed out"), p.toString());
            assertTrue(Duration.ofNanos(System.nanoTime() - t0).toMillis() >= 3000, "3 attempts of 1s");
            assertEquals(DemoParticipant.Holding.CANCELLED, rig.orders.holding(p.getString("sagaId")).orElseThrow());
        } finally {
            rig.payments.release();
            rig.payments.hang("none");
        }
    }

    @Test
    void aCompensationThatFailsThenSucceedsStillCompensates() throws Exception {
        rig.orders.fail("cancel", 500, 2);
        HttpResponse<String> r = SagaRig.post(node, "/place-order", "{\"item\":\"mug\",\"rejectPayment\":true}");
        assertEquals(409, r.statusCode(), r.body());
        String id = SagaRig.json(r.body()).getString("sagaId");
        assertEquals("compensated", state(id));
        assertEquals(DemoParticipant.Holding.CANCELLED, rig.orders.holding(id).orElseThrow());
    }

    @Test
    void aCompensationThatNeverSucceedsParksTheSagaStuckUntilAnOperatorRetries() throws Exception {
        rig.orders.fail("cancel", 500, 1000);
        HttpResponse<String> r = SagaRig.post(node, "/place-order", "{\"item\":\"hat\",\"rejectPayment\":true}");
        assertEquals(502, r.statusCode(), r.body());
        JsonObject p = SagaRig.json(r.body());
        assertEquals("compensation-pending", p.getString("outcome"));
        String id = p.getString("sagaId");
        assertEquals("stuck", state(id));
        int cancels = rig.orders.calls("cancel");
        // parked, not hot-looped: no more calls while nobody retries (the lease has long run out)
        assertTrue(!Await.within(Duration.ofSeconds(3), () -> rig.orders.calls("cancel") > cancels));
        String metrics = node.admin("/metrics").body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("loomgate_sagas_stuck ") && !l.endsWith(" 0")
                && !l.endsWith(" 0.0")), metrics);
        JsonObject listed = SagaRig.json(node.admin("/admin/sagas?state=stuck").body());
        assertTrue(listed.getJsonArray("sagas").stream().anyMatch(s -> s.asJsonObject().getString("id").equals(id)), listed.toString());
        String admin = "http://127.0.0.1:" + node.adminPort();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream ps = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
        LoomgateCli cli = new LoomgateCli(ps, ps);
        assertEquals(0, cli.run("sagas", "list", "--state", "stuck", "--admin", admin), out.toString());
        assertTrue(out.toString().contains(id) && out.toString().contains("compensation of 'order' failed"), out.toString());
        assertEquals(3, cli.run("sagas", "abort", "0".repeat(32), "--admin", admin), "no such saga is refused");
        // a retry while the participant still fails: one more bounded round, then parked again
        HttpResponse<String> again = SagaRig.adminPost(node, "/admin/sagas/" + id + "/retry");
        assertEquals(200, again.statusCode(), again.body());
        Await.until("stuck again after one bounded round",
                () -> rig.orders.calls("cancel") >= cancels + 3 && state(id).equals("stuck"));
        assertTrue(!Await.within(Duration.ofSeconds(1), () -> rig.orders.calls("cancel") > cancels + 3));
        rig.orders.fail("cancel", 500, 0);
        out.reset();
        assertEquals(0, cli.run("sagas", "retry", id, "--admin", admin), out.toString());
        Await.until("retried saga compensated", () -> state(id).equals("compensated"));
        assertEquals(DemoParticipant.Holding.CANCELLED, rig.orders.holding(id).orElseThrow());
        assertTrue(rig.violations(Map.of(id, "compensated"), false).isEmpty());
    }

    @Test
    void tccConfirmsAllOrCancelsAll() throws Exception {
        HttpResponse<String> ok = SagaRig.post(node, "/book", "{\"item\":\"seat\"}");
        assertEquals(200, ok.statusCode(), ok.body());
        String okId = ok.headers().firstValue("Saga-Id").orElseThrow();
        HttpResponse<String> no = SagaRig.post(node, "/book", "{\"item\":\"seat\",\"rejectStock\":true}");
        assertEquals(409, no.statusCode(), no.body());
        String noId = SagaRig.json(no.body()).getString("sagaId");
        assertEquals(DemoParticipant.Holding.CONFIRMED, rig.payments.holding(okId).orElseThrow());
        assertEquals(DemoParticipant.Holding.CANCELLED, rig.orders.holding(noId).orElseThrow());
        // payment's try never went out: its cancel is an empty rollback, and a late try is then refused
        assertTrue(rig.payments.holding(noId).isEmpty());
        assertTrue(rig.violations(Map.of(okId, "completed", noId, "compensated"), true).isEmpty());
    }

    @Test
    void aParallelGroupRunsItsStepsAtTheSameTimeAndCompensatesTogether() throws Exception {
        rig.orders.hang("try");
        rig.stock.hang("try");
        Thread client = Thread.ofVirtual().start(() -> {
            try {
                HttpResponse<String> r = SagaRig.post(node, "/place-order-parallel", "{\"item\":\"duo\"}");
                assertEquals(200, r.statusCode(), r.body());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            Await.until("both calls of the group in flight at once",
                    () -> rig.orders.hanging() > 0 && rig.stock.hanging() > 0);
        } finally {
            rig.orders.release();
            rig.stock.release();
            rig.orders.hang("none");
            rig.stock.hang("none");
        }
        client.join();
        HttpResponse<String> no = SagaRig.post(node, "/place-order-parallel", "{\"item\":\"duo\",\"rejectStock\":true}");
        assertEquals(409, no.statusCode(), no.body());
        JsonObject p = SagaRig.json(no.body());
        assertEquals("stock", p.getString("failedStep"));
        String id = p.getString("sagaId");
        assertEquals(DemoParticipant.Holding.CANCELLED, rig.orders.holding(id).orElseThrow());
        assertEquals(DemoParticipant.Holding.EMPTY_CANCELLED, rig.stock.holding(id).orElseThrow());
        assertTrue(rig.violations(Map.of(id, "compensated"), false).isEmpty());
    }

    @Test
    void aRetriableStepAfterThePivotIsNeverUndoneAndAnOperatorRetryCompletesIt() throws Exception {
        rig.stock.fail("try", 503, 3);
        HttpResponse<String> r = SagaRig.post(node, "/ship-order", "{}");
        assertEquals(502, r.statusCode(), r.body());
        JsonObject p = SagaRig.json(r.body());
        assertEquals("completion-pending", p.getString("outcome"));
        assertEquals("ship", p.getString("failedStep"));
        String id = p.getString("sagaId");
        assertEquals("stuck", state(id));
        // past the pivot: nothing is compensated
        assertEquals(DemoParticipant.Holding.RESERVED, rig.orders.holding(id).orElseThrow());
        assertEquals(DemoParticipant.Holding.RESERVED, rig.payments.holding(id).orElseThrow());
        HttpResponse<String> retry = SagaRig.adminPost(node, "/admin/sagas/" + id + "/retry");
        assertEquals(200, retry.statusCode(), retry.body());
        Await.until("forward retry completed", () -> state(id).equals("completed"));
        assertEquals(DemoParticipant.Holding.RESERVED, rig.stock.holding(id).orElseThrow());
        assertTrue(rig.violations(Map.of(id, "completed"), false).isEmpty());
    }
}
