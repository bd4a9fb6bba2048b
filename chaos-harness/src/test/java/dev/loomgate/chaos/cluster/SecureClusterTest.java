package dev.loomgate.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.loomgate.chaos.cluster.ClusterLayout.Host;
import dev.loomgate.testsupport.TempDirs;

/**
 * The loopback cluster with {@code --secure} (which includes {@code --secure-backends}): the smoke check passes
 * through HTTPS at the front (cluster-wide rate limits prove the gateways reach Redis, {@code /kv/hello} proves they
 * read Consul KV, and the TLS, JWT-route and API-key-route checks run and pass), while Redis and Sentinel refuse
 * plain text, the gateways' Redis user cannot leave its keys, and Consul refuses a request without a token.
 */
@Tag("cluster")
class SecureClusterTest {
    private final List<String> log = new CopyOnWriteArrayList<>();

    @Test
    void securityOnEverywhereFromTheFrontToRedisAndConsul() throws Exception {
        ClusterSpec spec = ClusterSpec.loopback(ClusterSpec.findRepoRoot()).withPortOffset(ClusterTestTools.freeOffset())
                .withSecurity(true);
        ClusterTestTools.assumeTools(spec, "haproxy", "redis-server", "redis-sentinel", "redis-cli", "prometheus",
                "prometheus-alertmanager", "ansible-playbook", "curl", "openssl");
        Path work = Files.createTempDirectory(Path.of("/tmp"), "lgsb");
        List<ManagedProcess> processes;
        try (LocalCluster cluster = LocalCluster.start(spec, work, this::progress)) {
            processes = cluster.processes();
            BackendSecurity security = cluster.backendSecurity().orElseThrow();
            List<SmokeCheck.Result> smoke = new SmokeCheck(cluster).run(this::progress);
            assertTrue(smoke.stream().allMatch(SmokeCheck.Result::passed), "smoke: " + smoke);
            assertEquals(List.of("every node reached", "sticky cookie", "routes from Consul KV",
                    "rate limit cluster-wide", "place-order saga", "TLS at the front", "JWT route", "API-key route"),
                    smoke.stream().map(SmokeCheck.Result::name).toList());
            assertTrue(cluster.frontUrl().startsWith("https://"), cluster.frontUrl());
            assertEquals("redis1", cluster.redisMaster().host(), "sentinels answer over TLS");

            Host redis1 = layoutHost(cluster, "redis1");
            Host sentinel1 = layoutHost(cluster, "sentinel1");
            int redisPort = redis1.port("redis", "port");
            int sentinelPort = sentinel1.port("sentinel", "port");
            Probes plain = new Probes();
            assertThrows(IOException.class, () -> plain.redis(Optional.empty(), redis1.address(), redisPort, "PING"),
                    "plain text to Redis' only (TLS) port gets no answer");
            assertThrows(IOException.class, () -> plain.redis(Optional.empty(), sentinel1.address(), sentinelPort,
                    "SENTINEL", "masters"), "plain text to Sentinel's only (TLS) port gets no answer");

            // TLS without AUTH, and the gateways' ACL user outside its keys or with an admin command
            String ca = security.caFile().toString();
            String noAuth = redisCli(Map.of(), "--tls", "--cacert", ca, "-h", redis1.address(), "-p",
                    Integer.toString(redisPort), "GET", "lg:rl:x");
            assertTrue(noAuth.contains("NOAUTH"), noAuth);
            Map<String, String> asGateway = Map.of("REDISCLI_AUTH", security.gatewayPassword());
            List<String> user = List.of("--tls", "--cacert", ca, "-h", redis1.address(), "-p",
                    Integer.toString(redisPort), "--user", BackendSecurity.GATEWAY_USER);
            assertEquals("OK", redisCli(asGateway, concat(user, "SET", "lg:rl:secure-test", "1")).strip());
            String otherKey = redisCli(asGateway, concat(user, "SET", "someone-else:key", "1"));
            assertTrue(otherKey.contains("NOPERM"), otherKey);
            String admin = redisCli(asGateway, concat(user, "FLUSHALL"));
            assertTrue(admin.contains("NOPERM"), admin);

            // Consul: HTTPS with the cluster CA; no token -> 403 as Consul with default_policy deny
            String kv = cluster.consulUrl() + "/v1/kv/loomgate/?recurse";
            HttpResponse anonymous = cluster.probes().get(Optional.empty(), kv, Map.of(), Duration.ofSeconds(5));
            assertEquals(403, anonymous.status(), anonymous.body());
            assertTrue(anonymous.body().startsWith("Permission denied"), anonymous.body());
            HttpResponse withToken = cluster.probes().get(Optional.empty(), kv, cluster.probes().consulHeaders(),
                    Duration.ofSeconds(5));
            assertEquals(200, withToken.status(), withToken.body());
            assertThrows(IOException.class, () -> plain.get(Optional.empty(), "http://" + cluster.consulUrl()
                    .substring("https://".length()) + "/v1/status/leader", Map.of(), Duration.ofSeconds(3)),
                    "the stand-in speaks HTTPS only");
        }
        List<String> alive = new ArrayList<>();
        processes.stream().filter(ManagedProcess::alive).forEach(p -> alive.add(p.toString()));
        assertEquals(List.of(), alive, "processes still alive; log:\n" + String.join("\n", log));
        TempDirs.deleteTree(work);
    }

    private static Host layoutHost(LocalCluster cluster, String name) throws IOException {
        return ClusterLayout.read(cluster.renderDir()).host(name);
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    private static String redisCli(Map<String, String> env, String... args) throws IOException {
        return redisCli(env, List.of(args));
    }

    private static String redisCli(Map<String, String> env, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("redis-cli"));
        cmd.addAll(args);
        return CommandResult.run(cmd, env, Duration.ofSeconds(10)).output();
    }

    private void progress(String line) {
        log.add(line);
        System.out.println(line);
    }
}
