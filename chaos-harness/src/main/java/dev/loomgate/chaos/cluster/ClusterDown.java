package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Cleans up after a launcher that died without stopping its cluster: every PID file in
 * {@code <work>/pids} (only if the PID still is that process: start time + command line), the
 * keepalived PID files in the render dir (only if that process' command line names this work dir),
 * then the namespaces with the cluster's prefix. Never kills by name.
 */
public final class ClusterDown {
    private ClusterDown() {
    }

    static List<Path> pidFiles(Path workDir) {
        Path dir = workDir.resolve("pids");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".pid")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Stops whatever the PID files name; returns how many processes were signalled. */
    static int killFromPidFiles(Path workDir, Consumer<String> progress) {
        List<long[]> targets = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path f : pidFiles(workDir)) {
            try {
                String[] parts = Files.readString(f).trim().split(" ");
                long pid = Long.parseLong(parts[0]);
                long ticks = Long.parseLong(parts[1]);
                if (ProcFs.matches(pid, ticks, parts[2])) {
                    ProcFs.signal(pid, "CONT");
                    ProcFs.signal(pid, "TERM");
                    targets.add(new long[] {pid, ticks});
                    names.add(parts.length > 3 ? parts[3] : parts[2]);
                }
                Files.deleteIfExists(f);
            } catch (IOException | RuntimeException e) {
                progress.accept("skipping " + f + ": " + e.getMessage());
            }
        }
        Path render = workDir.resolve("render");
        if (Files.isDirectory(render)) {
            try (Stream<Path> s = Files.walk(render, 2)) {
                for (Path f : s.filter(p -> p.getFileName().toString().matches("(keepalived|vrrp|checker)\\.pid"))
                        .toList()) {
                    long pid = Long.parseLong(Files.readString(f).trim());
                    List<String> cmd = ProcFs.cmdline(pid);
                    if (!cmd.isEmpty() && cmd.get(0).endsWith("keepalived")
                            && String.join(" ", cmd).contains(workDir.toString())) {
                        long ticks = ProcFs.startTicks(pid).orElse(-1);
                        ProcFs.signal(pid, "TERM");
                        targets.add(new long[] {pid, ticks});
                        names.add("keepalived " + f.getFileName());
                    }
                }
            } catch (IOException | RuntimeException e) {
                progress.accept("keepalived PID files: " + e.getMessage());
            }
        }
        if (!names.isEmpty()) {
            progress.accept("stopping " + names);
        }
        long deadline = System.nanoTime() + 12_000_000_000L;
        for (long[] t : targets) {
            while (ProcFs.alive(t[0], t[1]) && System.nanoTime() < deadline) {
                ManagedProcess.sleep(100);
            }
            if (ProcFs.alive(t[0], t[1])) {
                List<String> cmd = ProcFs.cmdline(t[0]);
                if (!cmd.isEmpty()) {
                    progress.accept("kill -9 " + t[0] + " (" + cmd.get(0) + ")");
                    ProcFs.signal(t[0], "KILL");
                }
            }
        }
        return targets.size();
    }

    /** Removes the previous run's files (only the launcher's own names, never the whole dir). */
    static void wipe(Path workDir) throws IOException {
        for (String name : List.of("render", "logs", "pids", "inventory-overlay.yml", "demo-routes.yaml")) {
            Path p = workDir.resolve(name);
            if (Files.exists(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(q);
                    }
                }
            }
        }
    }

    /** {@code cluster down}: processes from PID files, then namespaces with the prefix. */
    public static int down(Path workDir, String netnsPrefix, Consumer<String> progress) {
        int n = killFromPidFiles(workDir, progress);
        List<String> ns = Namespaces.existing(netnsPrefix);
        if (!ns.isEmpty()) {
            List<String> deleted = Namespaces.deleteAll(netnsPrefix);
            progress.accept("deleted namespaces " + deleted);
        }
        progress.accept("cluster down: " + n + " processes stopped, " + ns.size() + " namespaces deleted ("
                + workDir + ")");
        return n;
    }
}
