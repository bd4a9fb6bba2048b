package dev.loomgate.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Starts the whole cluster from the Ansible-rendered configs, runs the smoke check, tears it down
 * and checks that no process it started is alive (and, in namespace mode, no namespace is left).
 */
@Tag("cluster")
class LocalClusterTest {
    private final List<String> log = new CopyOnWriteArrayList<>();

    @Test
    void loopbackClusterPassesTheSmokeCheckAndLeavesNothingBehind() throws Exception {
        ClusterSpec spec = ClusterSpec.loopback(repoRoot()).withPortOffset(freeOffset());
        assumeTools(spec, "haproxy", "redis-server", "redis-sentinel", "prometheus", "ansible-playbook", "curl");
        Path work = Files.createTempDirectory(Path.of("/tmp"), "lgct");
        List<ManagedProcess> processes;
        try (LocalCluster cluster = LocalCluster.start(spec, work, this::progress)) {
            processes = cluster.processes();
            assertEquals(3, cluster.gateways().size());
            assertEquals("", cluster.notReadyReason());
            new SmokeCheck(cluster).verify(this::progress);
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
    }

    @Test
    void namespaceClusterPassesTheSmokeCheckAndDeletesItsNamespaces() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "namespace mode needs root");
        ClusterSpec spec = ClusterSpec.netns(repoRoot()).withNetnsPrefix("lgt-");
        assumeTools(spec, "haproxy", "keepalived", "redis-server", "redis-sentinel", "prometheus", "ansible-playbook",
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
        }
        assertNoneAlive(processes);
        assertEquals(List.of(), Namespaces.existing("lgt-"));
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

    static void assumeTools(ClusterSpec spec, String... tools) throws IOException {
        assumeTrue(Files.isRegularFile(spec.gatewayJar()) && Files.isRegularFile(spec.consulJar()),
                "gateway and Consul stand-in jars are built (mvn package / make build)");
        for (String tool : tools) {
            assumeTrue(CommandResult.run(List.of("sh", "-c", "command -v " + tool + " || test -x /usr/sbin/" + tool),
                    Duration.ofSeconds(5)).exitCode() == 0, tool + " is installed (make deps)");
        }
    }

    /** A port offset whose loopback ports are free (a developer's `make cluster` may use offset 0). */
    static int freeOffset() throws IOException {
        for (int offset = 2100; offset < 9000; offset += 300) {
            boolean free = true;
            for (int base : new int[] {18080, 18081, 18082, 18083, 18404, 19081, 19082, 19083, 16379, 16380, 16479,
                    16480, 16481, 18500, 19001, 19002, 19090}) {
                try (ServerSocket s = new ServerSocket(base + offset, 1, InetAddress.getLoopbackAddress())) {
                    s.setReuseAddress(true);
                } catch (IOException e) {
                    free = false;
                    break;
                }
            }
            if (free) {
                return offset;
            }
        }
        throw new IOException("no free port range for the loopback cluster");
    }
}
