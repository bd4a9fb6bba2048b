package dev.loomgate.chaos.cluster;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

/** What the tests that start a whole cluster share: skip when a tool is missing, pick free loopback ports. */
public final class ClusterTestTools {
    private ClusterTestTools() {
    }

    public static void assumeTools(ClusterSpec spec, String... tools) throws IOException {
        assumeTrue(Files.isRegularFile(spec.gatewayJar()) && Files.isRegularFile(spec.consulJar()),
                "gateway and Consul stand-in jars are built (mvn package / make build)");
        for (String tool : tools) {
            assumeTrue(CommandResult.run(List.of("sh", "-c", "command -v " + tool + " || test -x /usr/sbin/" + tool),
                    Duration.ofSeconds(5)).exitCode() == 0, tool + " is installed (make deps)");
        }
    }

    /** A port offset whose loopback ports are free (a developer's `make cluster` may use offset 0). */
    public static int freeOffset() throws IOException {
        for (int offset = 2100; offset < 9000; offset += 300) {
            boolean free = true;
            for (int base : new int[] {18080, 18081, 18082, 18083, 18404, 19081, 19082, 19083, 16379, 16380, 16479,
                    16480, 16481, 18500, 19001, 19002, 19090, 19093, 19121, 19122}) {
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
