package dev.loomgate.gateway.saga;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestCluster;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.testsupport.Await;
import org.junit.jupiter.api.Test;

/**
 * Sagas on a real 3-master Redis Cluster: every saga's log, fence and lease share a slot, sagas spread over the
 * masters, and a node halted mid-run is recovered by another node there too.
 */
class SagaRedisClusterTest {
    @Test
    void sagasRunAndRecoverOnARedisCluster() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            RedisTestCluster cluster = RedisTestCluster.start(servers, 3, 1);
            try (SagaRig rig = new SagaRig(RedisSettings.cluster(cluster.seeds()), "1s", "5s", true)) {
                TestGateway a = rig.startNode();
                TestGateway b = rig.startNode();
                rig.orders.jitter(100);
                rig.stock.jitter(100);
                rig.payments.jitter(100);
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    HttpResponse<String> r = SagaRig.post(a, "/place-order",
                            "{\"item\":\"c" + i + "\",\"rejectPayment\":" + (i % 4 == 0) + "}");
                    assertEquals(202, r.statusCode(), r.body());
                    ids.add(SagaRig.json(r.body()).getString("id"));
                }
                int running = SagaRig.sagas(a).runningIds().size();
                SagaRig.sagas(a).halt(); // crash: node b must finish what a was running
                Map<String, String> states = new HashMap<>();
                Await.until("every saga final on the cluster", Duration.ofSeconds(20), () -> {
                    for (String id : ids) {
                        SagaRig.sagas(b).status(id).map(s -> s.getString("state"))
                                .filter(s -> s.equals("completed") || s.equals("compensated"))
                                .ifPresent(s -> states.put(id, s));
                    }
                    return states.size() == ids.size();
                });
                assertTrue(running > 0, "the halt must interrupt running sagas");
                assertEquals(List.of(), rig.violations(states, false));
                assertEquals(List.of(), rig.orphans(states));
                assertEquals(0, rig.duplicateEffects());
                long masters = ids.stream().map(id -> cluster.masterOf(SagaLog.keys(id).get(0)).port()).distinct().count();
                assertTrue(masters >= 2, "30 sagas spread over the masters: " + masters);
                System.out.printf("saga cluster run: %d sagas, %d interrupted by the halt, on %d masters%n",
                        ids.size(), running, masters);
            }
        }
    }
}
