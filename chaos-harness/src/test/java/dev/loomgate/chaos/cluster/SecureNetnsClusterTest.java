package dev.loomgate.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import dev.loomgate.testsupport.Await;
import dev.loomgate.testsupport.TempDirs;

/**
 * The namespace cluster (two HAProxy + keepalived, a VIP) with {@code --secure}: the smoke check passes through
 * HTTPS on the VIP's port 443 (every node, sticky cookie, Consul KV routes, the cluster-wide rate limit over
 * TLS-only Redis, TLS at the front, the JWT route, the API-key route); from the client namespace TLS 1.1 is refused
 * and the upstream sees {@code X-Forwarded-Proto: https}; Redis refuses plain text and Consul refuses a request
 * without a token across the namespaces; when the VIP moves to the other LB (lb1's link down) its certificate
 * still verifies for the VIP. Afterwards no process and no namespace of the run is left. Needs root; 40-110 s
 * (make test-secure-netns).
 */
@Tag("slow")
class SecureNetnsClusterTest {
    private static final String PREFIX = "lgt-";
    private final List<String> log = new CopyOnWriteArrayList<>();

    @Test
    void securityOnEverywhereInTheNamespaceClusterAndAcrossAVipFailover() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "namespace mode needs root");
        ClusterSpec spec = ClusterSpec.netns(ClusterSpec.findRepoRoot()).withNetnsPrefix(PREFIX).withSecurity(true);
        ClusterTestTools.assumeTools(spec, "haproxy", "keepalived", "redis-server", "redis-sentinel", "redis-cli",
                "prometheus", "ansible-playbook", "curl", "openssl", "ip", "rsyslogd");
        assumeTrue(Namespaces.existing(PREFIX).isEmpty(), "no namespaces " + PREFIX + "* left by another run");
        Path work = Files.createTempDirectory(Path.of("/tmp"), "lgsn");
        List<ManagedProcess> processes;
        try (LocalCluster cluster = LocalCluster.start(spec, work, this::progress)) {
            processes = cluster.processes();
            List<SmokeCheck.Result> smoke = new SmokeCheck(cluster).run(this::progress);
            assertTrue(smoke.stream().allMatch(SmokeCheck.Result::passed), "smoke: " + smoke);
            assertEquals(List.of("every node reached", "sticky cookie", "routes from Consul KV",
                    "rate limit cluster-wide", "place-order saga", "TLS at the front", "JWT route", "API-key route"),
                    smoke.stream().map(SmokeCheck.Result::name).toList());
            String ns = cluster.clientNamespace().orElseThrow();
            String front = cluster.frontUrl();
            assertTrue(front.matches("https://10\\.\\d+\\.\\d+\\.\\d+"), "the VIP on 443: " + front);
            String ca = cluster.backendSecurity().orElseThrow().caFile().toString();

            CommandResult old = CommandResult.run(List.of("ip", "netns", "exec", ns, "curl", "-s", "--cacert", ca,
                    "--tls-max", "1.1", "-o", "/dev/null", front + "/demo/x"), Duration.ofSeconds(10));
            assertNotEquals(0, old.exitCode(), "TLS 1.1 handshake must fail: " + old.output());
            HttpResponse echo = cluster.probes().get(Optional.of(ns), front + "/demo/echo", Map.of(),
                    Duration.ofSeconds(5));
            assertEquals(200, echo.status(), echo.body());
            assertTrue(echo.body().contains("\"x-forwarded-proto\":\"https\""), echo.body());

            backendsRefusePlainTextAndNoToken(cluster, ns);
            certificateHoldsAcrossVipFailover(cluster, ns, front, this::progress);
        }
        List<String> alive = new ArrayList<>();
        processes.stream().filter(ManagedProcess::alive).forEach(p -> alive.add(p.toString()));
        assertEquals(List.of(), alive, "processes still alive; log:\n" + String.join("\n", log));
        assertEquals(List.of(), Namespaces.existing(PREFIX), "namespaces left behind");
        TempDirs.deleteTree(work);
    }

    /** Redis and Consul as the gateways reach them across the namespaces: TLS only, AUTH, an ACL token. */
    private static void backendsRefusePlainTextAndNoToken(LocalCluster cluster, String ns) throws IOException {
        ClusterLayout layout = ClusterLayout.read(cluster.renderDir());
        Host redis1 = layout.host("redis1");
        int port = redis1.port("redis", "port");
        assertEquals(List.of("PONG"), cluster.probes().redis(Optional.of(ns), redis1.address(), port, "PING"),
                "TLS + AUTH from the client namespace");
        CommandResult plain = CommandResult.run(List.of("ip", "netns", "exec", ns, "redis-cli", "-h",
                redis1.address(), "-p", Integer.toString(port), "PING"), Duration.ofSeconds(10));
        assertTrue(plain.exitCode() != 0 || !plain.output().contains("PONG"), "plain text answered: " + plain.output());

        String kv = cluster.consulUrl() + "/v1/kv/loomgate/?recurse";
        HttpResponse anonymous = cluster.probes().get(Optional.of(ns), kv, Map.of(), Duration.ofSeconds(5));
        assertEquals(403, anonymous.status(), anonymous.body());
        HttpResponse withToken = cluster.probes().get(Optional.of(ns), kv, cluster.probes().consulHeaders(),
                Duration.ofSeconds(5));
        assertEquals(200, withToken.status(), withToken.body());
        String plainConsul = "http://" + cluster.consulUrl().substring("https://".length()) + "/v1/status/leader";
        assertThrows(IOException.class, () -> new Probes().get(Optional.of(ns), plainConsul, Map.of(),
                Duration.ofSeconds(3)), "the stand-in speaks HTTPS only");
    }

    /** The front certificate names the VIP, not one LB: after a failover the other LB's TLS verifies too. */
    private static void certificateHoldsAcrossVipFailover(LocalCluster cluster, String ns, String front,
                                                          java.util.function.Consumer<String> progress) throws IOException {
        String master = lb(cluster, ns, front).orElseThrow(() -> new AssertionError("no X-Loomgate-LB from the VIP"));
        String other = cluster.lbs().stream().map(ManagedProcess::host).filter(h -> !h.equals(master)).findFirst()
                .orElseThrow();
        long t0 = System.nanoTime();
        cluster.linkDown(master);
        try {
            Await.until("the VIP answers over verified TLS from " + other, Duration.ofSeconds(20),
                    () -> lb(cluster, ns, front).equals(Optional.of(other)));
            progress.accept("VIP failover: " + master + " link down, " + other + " answered verified HTTPS after "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
        } finally {
            cluster.linkUp(master);
        }
    }

    /** The LB that answered a verified HTTPS request to the VIP (curl checks the chain and the name). */
    private static Optional<String> lb(LocalCluster cluster, String ns, String front) {
        try {
            HttpResponse r = cluster.probes().get(Optional.of(ns), front + "/demo/lb", Map.of(), Duration.ofSeconds(2));
            return r.status() == 200 ? r.header("X-Loomgate-LB") : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private void progress(String line) {
        log.add(line);
        System.out.println(line);
    }
}
