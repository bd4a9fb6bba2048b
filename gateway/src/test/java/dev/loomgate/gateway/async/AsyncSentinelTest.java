package dev.loomgate.gateway.async;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.redis.RedisTestServers.Server;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;
import org.junit.jupiter.api.Test;

/**
 * The job queue behind Sentinel, through a failover: jobs submitted steadily while the master is killed. Every job
 * accepted well before the kill and every one accepted after the failover finishes; the jobs accepted around the kill
 * that Redis' asynchronous replication lost are counted and printed (docs/ASYNC.md, Guarantees).
 */
class AsyncSentinelTest {
    private static final String MASTER_NAME = "lg-async";

    @Test
    void jobsKeepFlowingThroughAFailover() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create();
             TestUpstream upstream = TestUpstream.start("u")) {
            Server master = servers.startServer();
            servers.startReplica(master);
            List<Server> sentinels = servers.startSentinels(3, MASTER_NAME, master);
            RedisSettings redis = RedisSettings.builder(RedisSettings.sentinel(MASTER_NAME,
                    sentinels.stream().map(Server::address).toList()).topology()).readTimeout(Duration.ofMillis(500))
                    .build();
            try (TestGateway gw = TestGateway.start("""
                    upstreams:
                      - name: u
                        endpoints: [ %s ]
                    routes:
                      - id: s
                        upstream: u
                        match: { path-prefix: /s }
                        async: { reclaim-after: 2s, max-attempts: 20, initial-backoff: 100ms, max-backoff: 500ms }
                    """.formatted(upstream.address()), c -> c.toBuilder().redis(redis).build())) {
                Map<String, Long> accepted = new ConcurrentHashMap<>(); // job id -> accepted at (ms)
                AtomicBoolean running = new AtomicBoolean(true);
                Thread submitter = Thread.ofVirtual().start(() -> {
                    for (int n = 0; running.get() && n < 5000; n++) {
                        try {
                            HttpResponse<String> r = TestGateway.http().send(HttpRequest.newBuilder(gw.uri("/s/" + n))
                                    .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString("x"))
                                    .build(), HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 202) {
                                String loc = r.headers().firstValue("Location").orElseThrow();
                                accepted.put(loc.substring(6), System.currentTimeMillis());
                            }
                            Thread.sleep(50); // a steady 20 submissions per second
                        } catch (Exception e) {
                            // refused while Redis fails over: never promised
                        }
                    }
                });
                Await.until("jobs before the kill", () -> accepted.size() >= 30);
                long killedAt = System.currentTimeMillis();
                servers.kill(master);
                Await.until("jobs accepted again after the failover", Duration.ofSeconds(40),
                        () -> accepted.values().stream().filter(t -> t > killedAt + 1000).count() >= 30);
                long recoveredAt = accepted.values().stream().filter(t -> t > killedAt + 1000).min(Long::compare)
                        .orElseThrow();
                running.set(false);
                submitter.join();
                Map<String, Integer> fates = Await.value("every accepted job to be final or gone",
                        Duration.ofSeconds(60), () -> fates(gw, accepted.keySet()),
                        m -> m.values().stream().allMatch(s -> s == 1 || s == 404));
                List<Long> lost = accepted.entrySet().stream().filter(e -> fates.get(e.getKey()) == 404)
                        .map(e -> e.getValue() - killedAt).sorted().toList();
                System.out.printf("async sentinel failover: %d jobs accepted, failover (kill to first 202 after it)"
                        + " %d ms, lost %d (accepted at %s ms relative to the kill)%n", accepted.size(),
                        recoveredAt - killedAt, lost.size(), lost);
                assertTrue(lost.stream().allMatch(t -> t > -1000 && t < recoveredAt - killedAt),
                        "only jobs accepted in the last second before the kill or during the failover may be lost: "
                                + lost);
                assertEquals(0, accepted.entrySet().stream().filter(e -> e.getValue() >= recoveredAt)
                        .filter(e -> fates.get(e.getKey()) == 404).count(), "none lost after the failover");
            }
        }
    }

    /** 1: final (result stored or dead), 404: gone, 0: pending. */
    private static Map<String, Integer> fates(TestGateway gw, java.util.Set<String> ids) {
        Map<String, Integer> out = new ConcurrentHashMap<>();
        for (String id : ids) {
            try {
                HttpResponse<String> r = gw.get("/jobs/" + id);
                out.put(id, r.statusCode() == 404 ? 404 : r.headers().firstValue("Loomgate-Job-State").isPresent()
                        || r.body().contains("\"state\":\"dead\"") ? 1 : 0);
            } catch (Exception e) {
                out.put(id, 0);
            }
        }
        return out;
    }
}
