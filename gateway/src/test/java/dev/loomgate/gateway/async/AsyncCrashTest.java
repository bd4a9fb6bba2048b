package dev.loomgate.gateway.async;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.testing.Behaviors;
import dev.loomgate.gateway.testing.GatewayProcess;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway nodes, each in its own JVM, share one Redis. Jobs are submitted through both; one node is killed with
 * SIGKILL while its workers hold jobs. Every job answered 202 must still finish (on the other node, after
 * reclaim-after), and every upstream call of a job carries the job's Idempotency-Key, so the duplicates a crash
 * causes (a call that reached the upstream before the node died) are recognisable; their count is printed.
 */
class AsyncCrashTest {
    private static final int JOBS = 40;

    @TempDir
    Path dir;

    @Test
    void everyJobFinishesAfterANodeHoldingJobsIsKilled() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create();
             TestUpstream upstream = TestUpstream.start("slow")) {
            RedisTestServers.Server redis = servers.startServer();
            upstream.behave(Behaviors.slow(400, "slow"));
            String routes = """
                    upstreams:
                      - name: slow
                        endpoints: [ %s ]
                    routes:
                      - id: crash
                        upstream: slow
                        match: { path-prefix: /c }
                        async: { workers: 4, reclaim-after: 2s }
                    """.formatted(upstream.address());
            String redisConfig = "redis: { address: \"127.0.0.1:" + redis.port() + "\" }";
            Path a = Files.createDirectories(dir.resolve("a"));
            Path b = Files.createDirectories(dir.resolve("b"));
            try (GatewayProcess victim = GatewayProcess.start(a, routes, redisConfig);
                 GatewayProcess survivor = GatewayProcess.start(b, routes, redisConfig)) {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < JOBS; i++) {
                    GatewayProcess via = i % 2 == 0 ? victim : survivor;
                    HttpResponse<String> r = send(via.port(), "POST", "/c/" + i);
                    assertEquals(202, r.statusCode(), r.body());
                    ids.add(r.headers().firstValue("Location").orElseThrow().substring(6));
                }
                String victimConsumer = "-" + victim.process().pid() + "-";
                int held = Await.value("the victim's workers to hold jobs", Duration.ofSeconds(20),
                        () -> pendingOf(redis.port(), victimConsumer), n -> n > 0);
                victim.process().destroyForcibly(); // SIGKILL: no drain, no acknowledgement, no goodbye
                assertTrue(victim.process().waitFor(10, TimeUnit.SECONDS));

                Map<String, Integer> finalStatus = Await.value("every job to finish on the survivor",
                        Duration.ofSeconds(60), () -> statuses(survivor.port(), ids),
                        m -> m.values().stream().allMatch(s -> s == 200));
                long lost = finalStatus.values().stream().filter(s -> s != 200).count();
                Map<String, Long> callsPerKey = upstream.received().stream()
                        .collect(Collectors.groupingBy(r -> String.valueOf(r.header("Idempotency-Key")),
                                Collectors.counting()));
                assertTrue(ids.containsAll(callsPerKey.keySet()), "every upstream call carries its job's id as key: "
                        + callsPerKey.keySet());
                long duplicates = callsPerKey.values().stream().mapToLong(n -> n - 1).sum();
                String redeliveries = metric(survivor.adminPort(), "loomgate_async_redeliveries_total{route=\"crash\"}");
                System.out.printf("async crash: %d jobs, %d held by the killed node, lost %d, duplicate upstream calls"
                        + " %d (same Idempotency-Key), redeliveries on the survivor %s%n", JOBS, held, lost, duplicates,
                        redeliveries);
                assertEquals(0, lost);
                assertEquals(ids.size(), callsPerKey.size(), "every job reached the upstream");
                assertTrue(Double.parseDouble(redeliveries) >= 1, "the survivor took over the victim's deliveries");
            }
        }
    }

    private static int pendingOf(int port, String consumerPart) {
        try {
            List<String> flat = RedisTestServers.command(port, "XPENDING", "lg:async:{crash}:q", "loomgate-workers",
                    "-", "+", "1000");
            int n = 0;
            for (int i = 1; i < flat.size(); i += 4) {
                if (flat.get(i).contains(consumerPart)) {
                    n++;
                }
            }
            return n;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Status of each job's status URL: 200 once the stored upstream answer is served, else 200-with-JSON = 0. */
    private static Map<String, Integer> statuses(int port, List<String> ids) {
        return ids.stream().collect(Collectors.toMap(Function.identity(), id -> {
            try {
                HttpResponse<String> r = send(port, "GET", "/jobs/" + id);
                return r.headers().firstValue("Loomgate-Job-State").isPresent() ? r.statusCode() : 0;
            } catch (Exception e) {
                return -1;
            }
        }));
    }

    static HttpResponse<String> send(int port, String method, String path) throws Exception {
        return TestGateway.http().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String metric(int adminPort, String series) throws Exception {
        String text = TestGateway.http().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith(series + " ")).map(l -> l.substring(series.length() + 1))
                .findFirst().orElse("0");
    }
}
