package dev.loomgate.chaos.scenario;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Network faults in namespace mode: a host is a namespace ({@code lb1}, {@code gw2}, {@code redis}). */
public interface NetworkControl {

    /** Takes the host's only link down (a crashed host: no RST, no FIN). */
    void linkDown(String host) throws IOException, InterruptedException;

    void linkUp(String host) throws IOException, InterruptedException;

    /** Runs a command inside the host's namespace; returns its output; throws when it exits non-zero. */
    String run(String host, String... command) throws IOException, InterruptedException;

    /** The host's address inside the namespace network. */
    String address(String host);

    /** The inventory host a process runs on ({@code gw2}, {@code redis1}). */
    String hostOf(ClusterProcess process);

    /** The network namespace of a host; several hosts may share one (redis1, redis2 and the sentinels). */
    String namespace(String host);

    /** Root (effective uid 0) and the {@code ip} tool present. */
    static boolean namespacesAvailable() {
        try {
            boolean root = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Uid:")).findFirst()
                    .map(l -> l.split("\\s+")[2].equals("0")).orElse(false);
            return root && (Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
