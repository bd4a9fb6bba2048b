package dev.loomgate.gateway.saga;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.testsupport.Await;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

/** A client that waits too long gets 202 and a status URL; an async route answers 202 at once. */
class SagaAsyncTest {
    @Test
    void theWaitRunsOutThenTheStatusUrlShowsTheResult() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            RedisSettings redis = RedisSettings.standalone("127.0.0.1", servers.startServer().port());
            try (SagaRig rig = new SagaRig(redis, "2s", "300ms", false)) {
                TestGateway node = rig.startNode();
                rig.payments.delay("try", 700); // beyond the 300ms wait, within the 1s step timeout
                HttpResponse<String> r = SagaRig.post(node, "/place-order", "{\"item\":\"slow\",\"qty\":1}");
                assertEquals(202, r.statusCode(), r.body());
                String location = r.headers().firstValue("Location").orElseThrow();
                String id = SagaRig.json(r.body()).getString("id");
                assertEquals("/sagas/" + id, location);
                JsonObject done = Await.value("saga completed", Duration.ofSeconds(10),
                        () -> get(node, location), s -> s.getString("state").equals("completed"));
                assertTrue(done.getJsonObject("response").getString("orderId").startsWith("orders-"), done.toString());
                assertEquals(404, node.get("/sagas/" + "0".repeat(32)).statusCode());
                assertTrue(rig.violations(Map.of(id, "completed"), false).isEmpty());
            }
        }
    }

    @Test
    void anAsyncRouteAnswersAtOnce() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            RedisSettings redis = RedisSettings.standalone("127.0.0.1", servers.startServer().port());
            try (SagaRig rig = new SagaRig(redis, "2s", "5s", true)) {
                TestGateway node = rig.startNode();
                rig.payments.delay("try", 500);
                long t0 = System.nanoTime();
                HttpResponse<String> r = SagaRig.post(node, "/place-order", "{\"item\":\"x\",\"rejectPayment\":true}");
                assertEquals(202, r.statusCode(), r.body());
                assertTrue(Duration.ofNanos(System.nanoTime() - t0).toMillis() < 500, "did not wait for the saga");
                String location = r.headers().firstValue("Location").orElseThrow();
                JsonObject done = Await.value("saga compensated", Duration.ofSeconds(10),
                        () -> get(node, location), s -> s.getString("state").equals("compensated"));
                assertEquals("payment", done.getString("failedStep"));
                assertEquals("compensated", done.getString("outcome"));
            }
        }
    }

    private static JsonObject get(TestGateway node, String path) {
        try {
            return SagaRig.json(node.get(path).body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
