package dev.loomgate.gateway.async;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestCluster;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;
import org.junit.jupiter.api.Test;

/**
 * The job queue on a real 3-master Redis Cluster: each route's keys share its hash tag, so every script runs in one
 * slot; routes spread over the masters; idempotency, retries, dead letters and replay work as on one server.
 */
class AsyncClusterTest {
    private static final int ROUTES = 6;

    @Test
    void jobsOfRoutesOnEveryMasterRunIdempotentlyAndDeadLettersReplay() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create();
             TestUpstream upstream = TestUpstream.start("u")) {
            RedisTestCluster cluster = RedisTestCluster.start(servers, 3, 1);
            AtomicBoolean failing = new AtomicBoolean(true);
            TestUpstream.Behavior ok = Behaviors.ok("u");
            TestUpstream.Behavior unavailable = Behaviors.status(503, "u");
            upstream.behave((req, out) -> req.target().startsWith("/dead") && failing.get()
                    ? unavailable.respond(req, out) : ok.respond(req, out));
            StringBuilder routes = new StringBuilder("upstreams:\n  - name: u\n    endpoints: [ " + upstream.address()
                    + " ]\nroutes:\n");
            for (int i = 0; i < ROUTES; i++) {
                routes.append("  - { id: r").append(i).append(", upstream: u, match: { path-prefix: /r").append(i)
                        .append(" }, async: {} }\n");
            }
            routes.append("  - { id: dead, upstream: u, match: { path-prefix: /dead },"
                    + " async: { max-attempts: 2, initial-backoff: 100ms } }\n");
            RedisSettings redis = RedisSettings.builder(RedisSettings.cluster(cluster.seeds()).topology())
                    .readTimeout(Duration.ofMillis(500)).build();
            try (TestGateway gw = TestGateway.start(routes.toString(), c -> c.toBuilder().redis(redis).build())) {
                Set<Integer> masters = new HashSet<>();
                List<String> locations = new ArrayList<>();
                for (int i = 0; i < ROUTES; i++) {
                    masters.add(cluster.masterOf("lg:async:{r" + i + "}:q").port());
                    for (int j = 0; j < 3; j++) {
                        locations.add(submit(gw, "/r" + i + "/" + j, "key-" + i + "-" + j));
                    }
                    assertEquals(Optional.of(locations.getLast()), post(gw, "/r" + i + "/2", "key-" + i + "-2")
                            .headers().firstValue("Location"), "a repeat with the same key is the same job");
                }
                assertTrue(masters.size() >= 2, "the routes' streams live on several masters: " + masters);
                for (String location : locations) {
                    assertEquals(200, awaitFinal(gw, location).statusCode());
                }
                assertEquals(ROUTES * 3L, upstream.received().stream().filter(r -> r.target().startsWith("/r")).count(),
                        "one upstream call per job");

                String dead = submit(gw, "/dead/x", "d-1");
                assertTrue(awaitFinal(gw, dead).body().contains("\"state\":\"dead\""));
                AsyncService async = gw.node().async().orElseThrow();
                assertEquals(List.of(dead.substring(6)), async.queue().dead("dead", 10));
                failing.set(false);
                assertTrue(async.queue().replay("dead", dead.substring(6)));
                assertEquals(200, awaitFinal(gw, dead).statusCode());
                assertEquals(0, async.queue().purge("dead"));
            }
        }
    }

    private static HttpResponse<String> post(TestGateway gw, String path, String key) throws Exception {
        return TestGateway.http().send(HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(10))
                .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString("b")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String submit(TestGateway gw, String path, String key) throws Exception {
        HttpResponse<String> r = post(gw, path, key);
        assertEquals(202, r.statusCode(), r.body());
        return r.headers().firstValue("Location").orElseThrow();
    }

    private static HttpResponse<String> awaitFinal(TestGateway gw, String location) {
        return Await.value(location + " to finish", Duration.ofSeconds(30), () -> {
            try {
                return gw.get(location);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, r -> r.headers().firstValue("Loomgate-Job-State").isPresent() || r.body().contains("\"state\":\"dead\""));
    }
}
