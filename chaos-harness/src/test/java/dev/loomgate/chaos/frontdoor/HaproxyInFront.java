package dev.loomgate.chaos.frontdoor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.loomgate.chaos.cluster.AnsibleRender;
import dev.loomgate.chaos.cluster.ClusterSpec;
import dev.loomgate.chaos.cluster.CommandResult;
import dev.loomgate.chaos.scenario.HaproxyStats;
import dev.loomgate.testsupport.Await;
import org.junit.jupiter.api.Assumptions;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One real gateway node (the built jar) whose {@code /api} route goes to an upstream on loopback, behind a real
 * HAProxy whose config Ansible renders from {@code ansible/roles/haproxy} (the loopback inventory, lb1 only, with the
 * test's own lb1 variables), started as the cluster harness starts it. gw1..gw3 of the rendered backend all point
 * at the one node. {@link #close()} stops both by PID.
 */
final class HaproxyInFront implements AutoCloseable {
    /** GatewayNode's start line: "node corpus ready: proxy on 127.0.0.1:41234, admin on 127.0.0.1:41235, ...". */
    private static final Pattern READY = Pattern.compile("ready: proxy on [^:\\s]+:(\\d+), admin on [^:\\s]+:(\\d+)");
    private static final Duration START = Duration.ofSeconds(30);
    private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");

    private final Process gateway;
    private final Process haproxy;
    private final int frontPort;
    private final int tlsPort;
    private final HaproxyStats stats;

    private HaproxyInFront(Process gateway, Process haproxy, int frontPort, int tlsPort, HaproxyStats stats) {
        this.gateway = gateway;
        this.haproxy = haproxy;
        this.frontPort = frontPort;
        this.tlsPort = tlsPort;
        this.stats = stats;
    }

    /**
     * Starts the node and HAProxy in {@code dir}. {@code lb1Vars} are YAML lines (already indented for lb1's host
     * vars, or empty) with the test's own role variables; {@code "%front"} and {@code "%tls"} in them stand for
     * ports chosen here (the plain and the TLS frontend port). Waits until HAProxy sees gw1..gw3 UP.
     */
    static HaproxyInFront start(Path dir, int upstreamPort, String lb1Vars) throws Exception {
        return start(dir, upstreamPort, lb1Vars, "");
    }

    /**
     * As {@link #start(Path, int, String)}, with {@code nodeConfig} appended to the node's gateway.yaml (e.g. its
     * {@code front-door.tls}); {@code "%node"} in {@code lb1Vars} stands for the node's proxy port.
     */
    static HaproxyInFront start(Path dir, int upstreamPort, String lb1Vars, String nodeConfig) throws Exception {
        Path repo = ClusterSpec.findRepoRoot();
        Path gatewayJar = ClusterSpec.loopback(repo).gatewayJar();
        Assumptions.assumeTrue(Files.isExecutable(HAPROXY), "haproxy not installed (make deps)");
        Assumptions.assumeTrue(CommandResult.run(List.of("sh", "-c", "command -v ansible-playbook"),
                Duration.ofSeconds(5)).exitCode() == 0, "ansible-playbook not installed (make deps)");
        // mvn verify packages the gateway module before this one; a lone -pl chaos-harness run needs make build
        assertTrue(Files.isRegularFile(gatewayJar), gatewayJar + " is missing: build the gateway first (make build)");
        Process gateway = startGateway(dir, gatewayJar, upstreamPort, nodeConfig);
        try {
            int[] node = readyPorts(dir.resolve("gateway.log"), gateway);
            for (int attempt = 1; ; attempt++) {
                int front = freePort(), tls = freePort();
                Process p = startHaproxy(repo, dir, node, front, tls, lb1Vars, attempt);
                if (p != null) {
                    HaproxyStats stats = HaproxyStats.socket(dir.resolve("render/lb1/haproxy.sock"));
                    HaproxyInFront f = new HaproxyInFront(gateway, p, front, tls, stats);
                    for (String server : List.of("gw1", "gw2", "gw3")) {
                        Await.until(server + " UP in HAProxy", START, () -> f.up(server));
                    }
                    return f;
                }
            }
        } catch (Exception | Error e) {
            stopByPid(gateway);
            throw e;
        }
    }

    int frontPort() {
        return frontPort;
    }

    /** The port "%tls" stood for in the test's variables. */
    int tlsPort() {
        return tlsPort;
    }

    private static Process startGateway(Path dir, Path jar, int upstreamPort, String nodeConfig) throws IOException {
        Files.writeString(dir.resolve("routes.yaml"), """
                upstreams:
                  - name: recording
                    endpoints: [ 127.0.0.1:%d ]
                routes:
                  - id: api
                    upstream: recording
                    match: { path-prefix: /api }
                """.formatted(upstreamPort));
        // as the Ansible-rendered node: HAProxy on loopback is a trusted proxy
        Files.writeString(dir.resolve("gateway.yaml"), """
                node: { id: corpus, host: 127.0.0.1, port: 0, admin-host: 127.0.0.1, admin-port: 0 }
                routes-file: %s
                forwarded:
                  trusted-proxies: ["127.0.0.1/32"]
                """.formatted(dir.resolve("routes.yaml")) + nodeConfig);
        Path log = dir.resolve("gateway.log");
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xmx128m", "-jar", jar.toString(),
                "--config", dir.resolve("gateway.yaml").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** The proxy and admin ports from the node's ready line. */
    private static int[] readyPorts(Path log, Process gateway) {
        Matcher ready = Await.value("the gateway's ready line in " + log, START, () -> {
            if (!gateway.isAlive()) {
                throw new IllegalStateException("gateway exited with " + gateway.exitValue() + ":\n" + read(log));
            }
            return READY.matcher(read(log));
        }, Matcher::find);
        return new int[] {Integer.parseInt(ready.group(1)), Integer.parseInt(ready.group(2))};
    }

    /** Renders lb1's haproxy.cfg and starts it; null when a probed port was taken in between (render again). */
    private static Process startHaproxy(Path repo, Path dir, int[] node, int front, int tls, String lb1Vars,
                                        int attempt) throws Exception {
        Path render = dir.resolve("render");
        Path overlay = dir.resolve("inventory-overlay.yml");
        // HAProxy cannot bind port 0 and report it: probe, and render again if one was taken in between
        Files.writeString(overlay, """
                ---
                # This test's ports: lb1's frontend and stats, and gw1..gw3 all on the one node it runs.
                all:
                  children:
                    lbs:
                      hosts:
                        lb1:
                          haproxy_frontend_port: %1$d
                          haproxy_stats_port: %2$d
                %5$s
                    gateways:
                      hosts:
                        gw1: { gateway_port: %3$d, gateway_admin_port: %4$d }
                        gw2: { gateway_port: %3$d, gateway_admin_port: %4$d }
                        gw3: { gateway_port: %3$d, gateway_admin_port: %4$d }
                """.formatted(front, freePort(), node[0], node[1],
                lb1Vars.replace("%front", "" + front).replace("%tls", "" + tls).replace("%node", "" + node[0])));
        AnsibleRender.renderLoopbackHosts(repo, overlay, "lb1", render, dir.resolve("ansible-render.log"));
        Path cfg = render.resolve("lb1/haproxy.cfg");
        Path log = dir.resolve("haproxy-" + attempt + ".log");
        Process p = new ProcessBuilder(HAPROXY.toString(), "-f", cfg.toString(), "-db", "-W",
                "-S", render.resolve("lb1/master.sock").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HaproxyStats stats = HaproxyStats.socket(render.resolve("lb1/haproxy.sock"));
        // the stats socket answers once every listener is bound; a bind failure exits
        Await.until("haproxy to start (or exit)", START, () -> !p.isAlive() || anyServer(stats));
        if (p.isAlive()) {
            return p;
        }
        if (!read(log).contains("cannot bind") || attempt == 3) {
            throw new IllegalStateException("haproxy exited with " + p.exitValue() + ": " + read(log));
        }
        return null;
    }

    HaproxyStats stats() {
        return stats;
    }

    boolean up(String server) {
        try {
            return stats.server(server).map(s -> s.status().equals("UP")).orElse(false);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean anyServer(HaproxyStats stats) {
        try {
            return !stats.servers().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            stopByPid(haproxy);
        } finally {
            stopByPid(gateway);
        }
    }

    /** SIGTERM to the process (HAProxy's master stops its worker), then waits for it and its children by PID. */
    static void stopByPid(Process p) throws Exception {
        if (p == null) {
            return;
        }
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroyForcibly();
                child.onExit().get(5, TimeUnit.SECONDS);
            }
        }
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** A port that was free a moment ago. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
