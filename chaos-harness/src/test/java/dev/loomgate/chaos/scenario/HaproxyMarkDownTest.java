package dev.loomgate.chaos.scenario;

import dev.loomgate.testsupport.Await;
import com.sun.net.httpserver.HttpServer;
import dev.loomgate.chaos.load.EpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The measurement behind scenario 1's "HAProxy marks it down" figure, against a real HAProxy (Debian package) with
 * two backends on loopback: one stops, {@link LbWatch} reads the runtime socket every 50 ms and sees it leave UP;
 * the other stays UP; when the stopped one comes back, {@link LbWatch#awaitUp} sees it UP again.
 */
class HaproxyMarkDownTest {
    private final List<HttpServer> servers = new ArrayList<>();
    private Process haproxy;

    @AfterEach
    void stop() throws InterruptedException {
        servers.forEach(s -> s.stop(0));
        if (haproxy != null) {
            haproxy.destroy();
            haproxy.waitFor();
        }
    }

    @Test
    void downWithinTheCheckBudgetAndUpAgain(@TempDir Path dir) throws Exception {
        Path bin = Path.of("/usr/sbin/haproxy");
        Assumptions.assumeTrue(Files.isExecutable(bin), "haproxy not installed (make deps)");
        HttpServer gw1 = backend(0);
        servers.add(gw1);
        HttpServer gw2 = backend(0);
        servers.add(gw2);
        int p1 = gw1.getAddress().getPort();
        int p2 = gw2.getAddress().getPort();
        Path sock = dir.resolve("haproxy.sock");
        Path cfg = dir.resolve("haproxy.cfg");
        // haproxy must be told its front port: probe one, and try another if it was taken before haproxy bound it
        for (int attempt = 1; haproxy == null; attempt++) {
            int front = freePort();
            Files.writeString(cfg, """
                global
                    stats socket %s mode 600 level admin
                defaults
                    mode http
                    timeout connect 500ms
                    timeout check 400ms
                    timeout client 5s
                    timeout server 5s
                frontend front
                    bind 127.0.0.1:%d
                    default_backend gateways
                backend gateways
                    option httpchk
                    http-check send meth GET uri /health/ready ver HTTP/1.1 hdr Host localhost
                    default-server check inter 500 fall 2 rise 2
                    server gw1 127.0.0.1:%d
                    server gw2 127.0.0.1:%d
                """.formatted(sock, front, p1, p2));
            Process p = new ProcessBuilder(bin.toString(), "-db", "-f", cfg.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
            // its stats socket (in this test's own dir) answers once every listener is bound; a bind failure exits
            Await.until("haproxy to start (or exit)", () -> !p.isAlive() || answers(HaproxyStats.socket(sock)));
            String log = Files.readString(dir.resolve("haproxy.log"));
            if (p.isAlive()) {
                haproxy = p;
            } else if (!log.contains("cannot bind") || attempt == 5) {
                throw new IllegalStateException("haproxy exited with " + p.exitValue() + ": " + log);
            }
        }
        HaproxyStats stats = HaproxyStats.socket(sock);
        assertTrue(LbWatch.awaitUp(List.of(stats), "gw2", Duration.ofSeconds(10)), "gw2 UP at start");

        EpochClock clock = new EpochClock();
        long stoppedAt = clock.epochMillis();
        gw2.stop(0);
        servers.remove(gw2);
        Map<String, OptionalLong> down = LbWatch.markedOut(Map.of("lb1", stats), "gw2", stoppedAt, clock,
                Duration.ofSeconds(10));
        System.out.println("gw2 out of rotation after " + down.get("lb1"));
        // fall 2 x inter 500 ms: about 0.5-1 s; generous on a loaded box, but it must be seen at all
        assertTrue(down.get("lb1").isPresent() && down.get("lb1").getAsLong() < 5000, "marked down: " + down);
        assertTrue(stats.server("gw1").orElseThrow().status().equals("UP"), "gw1 unaffected");

        servers.add(backend(p2));
        assertTrue(LbWatch.awaitUp(List.of(stats), "gw2", Duration.ofSeconds(10)), "gw2 UP again");
    }

    private static HttpServer backend(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        return server;
    }

    private static boolean answers(HaproxyStats stats) {
        try {
            return !stats.servers().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /** A port that was free a moment ago (haproxy cannot bind 0 and report it). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
