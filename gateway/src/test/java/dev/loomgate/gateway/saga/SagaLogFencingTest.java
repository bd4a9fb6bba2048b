package dev.loomgate.gateway.saga;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import dev.loomgate.gateway.redis.RedisConnections;
import dev.loomgate.gateway.redis.saga.SagaLogStore;
import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestCluster;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.testsupport.Await;
import jakarta.json.Json;
import org.junit.jupiter.api.Test;

/** The fenced saga log, straight against Redis: a node whose lease was taken cannot write. */
class SagaLogFencingTest {
    private static SagaDefinition definition() throws Exception {
        var doc = dev.loomgate.gateway.config.RoutesParser.parse("""
                upstreams: [ { name: u, endpoints: [ 127.0.0.1:1 ] } ]
                routes:
                  - id: r
                    upstream: u
                    saga:
                      lease: 300ms
                      steps:
                        - name: a
                          action: { method: POST, path: /a }
                          compensation: { method: POST, path: /c }
                """, "routes.yaml");
        return (SagaDefinition) doc.pipeline("r").terminal().orElseThrow().config();
    }

    private static void fencing(RedisSettings settings, String id) throws Exception {
        SagaDefinition def = definition();
        try (RedisConnections redis = RedisConnections.open(settings.toBuilder().readTimeout(Duration.ofSeconds(2)).build())) {
            SagaLog log = new SagaLog(redis);
            SagaRecord r = SagaRecord.start(id, def, Json.createObjectBuilder().build(), System.currentTimeMillis());
            long first = log.create(r, "node-a", def.lease()).orElseThrow();
            assertTrue(log.create(r, "node-a", def.lease()).isEmpty(), "an id is created once");
            assertFalse(log.acquire(id, "node-b", def.lease(), false).ok(), "the lease is held");
            r.steps.put("a", SagaRecord.StepStatus.STARTED);
            log.write(r, first, "node-a", def.lease());
            // node-a stops renewing; node-b takes over after the lease ran out
            SagaLogStore.Acquired b = Await.value("lease expired", Duration.ofSeconds(5),
                    () -> log.acquire(id, "node-b", def.lease(), false), SagaLogStore.Acquired::ok);
            assertTrue(b.token() > first);
            r.steps.put("a", SagaRecord.StepStatus.DONE);
            assertThrows(SagaLogStore.FencedException.class, () -> log.write(r, first, "node-a", def.lease()));
            assertThrows(SagaLogStore.FencedException.class, () -> log.renew(id, first, "node-a", def.lease()));
            assertEquals(SagaRecord.StepStatus.STARTED, log.read(id).orElseThrow().steps.get("a"), "the late write left no trace");
            assertTrue(log.leaseHolder(id).orElseThrow().endsWith("|node-b"));
            r.state = SagaRecord.State.COMPENSATED;
            log.write(r, b.token(), "node-b", def.lease());
            assertEquals(-3, log.acquire(id, "node-c", def.lease(), false).token(), "a final saga is nobody's to take");
            assertFalse(log.due(System.currentTimeMillis() + 60_000, 100).contains(id), "final sagas leave the index");
            // the three keys share one slot, which Redis Cluster requires of one script's keys
            List<String> keys = SagaLog.keys(id);
            assertTrue(keys.stream().allMatch(k -> k.contains("{" + id + "}")), keys.toString());
        }
    }

    @Test
    void aNodeWhoseLeaseWasTakenCannotWrite() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            RedisTestServers.Server redis = servers.startServer();
            fencing(RedisSettings.standalone("127.0.0.1", redis.port()), "0123456789abcdef0123456789abcdef");
        }
    }

    @Test
    void fencingHoldsOnARealThreeMasterCluster() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create()) {
            RedisTestCluster cluster = RedisTestCluster.start(servers, 3, 1);
            // several ids: their slots spread over the masters
            for (String id : List.of("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2", "ccccccccccccccccccccccccccccccc3")) {
                fencing(RedisSettings.cluster(cluster.seeds()), id);
            }
        }
    }
}
