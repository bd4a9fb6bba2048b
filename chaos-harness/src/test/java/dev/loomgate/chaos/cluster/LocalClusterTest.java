package dev.loomgate.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.loomgate.testsupport.Await;
import dev.loomgate.testsupport.TempDirs;

/**
 * Starts the whole cluster from the Ansible-rendered configs, runs the smoke check, tears it down
 * and checks that no process it started is alive (and, in namespace mode, no namespace is left).
 */
@Tag("cluster")
class LocalClusterTest {
    private final List<String> log = new CopyOnWriteArrayList<>();

    @Test
    void loopbackClusterPassesTheSmokeCheckAndLeavesNothingBehind() throws Exception {
        ClusterSpec spec = ClusterSpec.loopback(repoRoot()).withPortOffset(ClusterTestTools.freeOffset());
        ClusterTestTools.assumeTools(spec, "haproxy", "redis-server", "redis-sentinel", "prometheus", "prometheus-alertmanager", "ansible-playbook", "curl");
        Path work = Files.createTempDirectory(Path.of("/tmp"), "lgct");
        List<ManagedProcess> processes;
        try (LocalCluster cluster = LocalCluster.start(spec, work, this::progress)) {
            processes = cluster.processes();
            assertEquals(3, cluster.gateways().size());
            assertEquals("", cluster.notReadyReason());
            new SmokeCheck(cluster).verify(this::progress);
            assertTrue(log.stream().anyMatch(l -> l.startsWith("smoke ok    place-order saga")), String.join("\n", log));
            assertEquals(3, cluster.sagaDemo().orElseThrow().processes().size(), "orders, stock, payments");
            assertTrue(cluster.summary().startsWith("cluster ready"), cluster.summary());
            assertEquals("redis1", cluster.redisMaster().host());

            // a crashed launcher leaves its processes: `cluster down` finds them through the PID files
            assertEquals(processes.size(), ClusterDown.pidFiles(work).size());
            int stopped = ClusterDown.down(work, "\0none", this::progress);
            assertEquals(processes.size(), stopped);
            assertNoneAlive(processes);
        }
        assertNoneAlive(processes);
        assertTrue(ClusterDown.pidFiles(work).isEmpty());
        TempDirs.deleteTree(work);
    }

    private static String curlIn(LocalCluster cluster, String host, String url) {
        try {
            return cluster.run(host, "curl", "-s", "--max-time", "2", url).output();
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void namespaceClusterPassesTheSmokeCheckAndDeletesItsNamespaces() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "namespace mode needs root");
        ClusterSpec spec = ClusterSpec.netns(repoRoot()).withNetnsPrefix("lgt-");
        ClusterTestTools.assumeTools(spec, "haproxy", "keepalived", "redis-server", "redis-sentinel", "prometheus", "prometheus-alertmanager", "ansible-playbook",
                "curl", "ip");
        Path work = Files.createTempDirectory(Path.of("/tmp"), "lgnt");
        List<ManagedProcess> processes;
        try (LocalCluster cluster = LocalCluster.start(spec, work, this::progress)) {
            processes = cluster.processes();
            assertEquals(2, cluster.lbs().size());
            assertEquals(2, cluster.keepalived().size());
            new SmokeCheck(cluster).verify(this::progress);
            assertTrue(cluster.frontUrl().contains("10.77.0.100"), cluster.frontUrl());
            // addresses exist only inside the namespaces
            assertFalse(CommandResult.run(List.of("ip", "-4", "addr"), Duration.ofSeconds(5)).output()
                    .contains("10.77.0."), "no test address in the root namespace");
            CommandResult ping = cluster.run("client", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                    cluster.adminUrl(cluster.gateways().get(0)) + "/health/ready");
            assertEquals("200", ping.output().strip(), "health stays open without the admin token");
            // a redis_exporter per Redis in the redis namespace, scraped by Prometheus in the monitoring one
            if (!cluster.redisExporters().isEmpty()) {
                assertEquals(2, cluster.redisExporters().size(), "a redis_exporter per Redis");
                String redisUp = cluster.prometheusUrl() + "/api/v1/query?query=count(redis_up%7Bjob%3D%22redis%22%7D%3D%3D1)";
                Await.value("Prometheus scrapes both redis_exporters, each reaching its Redis", Duration.ofSeconds(30),
                        () -> curlIn(cluster, "client", redisUp), out -> out.contains("\"2\"]"));
            }
        }
        assertNoneAlive(processes);
        assertEquals(List.of(), Namespaces.existing("lgt-"));
        TempDirs.deleteTree(work);
    }

    private void assertNoneAlive(List<ManagedProcess> processes) {
        List<String> alive = new ArrayList<>();
        for (ManagedProcess p : processes) {
            if (p.alive()) {
                alive.add(p.toString());
            }
        }
        assertEquals(List.of(), alive, "processes still alive; log:\n" + String.join("\n", log));
    }

    private void progress(String line) {
        log.add(line);
        System.out.println(line);
    }

    private static Path repoRoot() {
        return ClusterSpec.findRepoRoot();
    }
}
