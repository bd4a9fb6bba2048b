package dev.loomgate.gateway.async;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replicas: 1}: the 202 comes only after WAIT saw a replica take the job; with the replica gone the answer is a
 * 503 and a resubmit with the same key finds the job once the replica is back. The access log has the 202 and the
 * worker's upstream call, both with the job id.
 */
class AsyncReplicaTest {
    @TempDir
    Path dir;

    @Test
    void acceptedOnlyOnceAReplicaHasTheJob() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create();
             TestUpstream upstream = TestUpstream.start("u")) {
            RedisTestServers.Server master = servers.startServer();
            RedisTestServers.Server replica = servers.startReplica(master);
            Path log = dir.resolve("access.log");
            try (TestGateway gw = TestGateway.start("""
                    upstreams:
                      - name: u
                        endpoints: [ %s ]
                    routes:
                      - id: durable
                        upstream: u
                        match: { path-prefix: /d }
                        async: { replicas: 1, replica-timeout: 300ms }
                    """.formatted(upstream.address()), c -> c.toBuilder()
                    .redis(RedisSettings.standalone("127.0.0.1", master.port())).accessLog(log.toString()).build())) {
                HttpResponse<String> ok = post(gw, "k1");
                assertEquals(202, ok.statusCode(), ok.body());
                String id = ok.headers().firstValue("Location").orElseThrow().substring(6);
                assertEquals(List.of("1"), RedisTestServers.command(replica.port(), "EXISTS",
                        "lg:async:{durable}:job:" + id), "the replica has the job before the client has its 202");

                servers.kill(replica);
                HttpResponse<String> unconfirmed = post(gw, "k2");
                assertEquals(503, unconfirmed.statusCode(), unconfirmed.body());
                assertTrue(unconfirmed.body().contains("replica"), unconfirmed.body());
                assertTrue(unconfirmed.headers().firstValue("Retry-After").isPresent());

                servers.restart(replica);
                Await.until("the replica to be in sync", Duration.ofSeconds(20), () ->
                        RedisTestServers.info(replica.port(), "replication").contains("master_link_status:up"));
                HttpResponse<String> again = post(gw, "k2");
                assertEquals(202, again.statusCode(), again.body());
                assertEquals(Optional.of("true"), again.headers().firstValue("Idempotent-Replayed"),
                        "the unconfirmed job was stored on the master: the same key finds it");

                Await.until("the first job's result", () -> {
                    try {
                        return gw.get("/jobs/" + id).headers().firstValue("Loomgate-Job-State").isPresent();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                Await.until("both access log lines of the job", Duration.ofSeconds(10), () -> lines(log, id).size() >= 2);
                List<String> lines = lines(log, id);
                assertTrue(lines.stream().anyMatch(l -> l.contains("\"status\":202") && l.contains("\"method\":\"POST\"")),
                        String.join("\n", lines));
                assertTrue(lines.stream().anyMatch(l -> l.contains("\"status\":200") && l.contains("\"upstream\":\"u\"")
                        && l.contains("\"endpoint\":\"127.0.0.1")), String.join("\n", lines));
            }
        }
    }

    private static List<String> lines(Path log, String id) {
        try {
            return Files.exists(log) ? Files.readAllLines(log).stream()
                    .filter(l -> l.contains("\"job_id\":\"" + id + "\"")).toList() : List.of();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    private static HttpResponse<String> post(TestGateway gw, String key) throws Exception {
        return TestGateway.http().send(HttpRequest.newBuilder(gw.uri("/d/x")).timeout(Duration.ofSeconds(10))
                .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString("b")).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
