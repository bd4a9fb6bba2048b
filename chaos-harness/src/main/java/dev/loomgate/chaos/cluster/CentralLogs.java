package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import jakarta.json.JsonObject;

import dev.loomgate.chaos.cluster.ClusterLayout.Host;

/**
 * The cluster's central logs (ansible/roles/rsyslog): one rsyslogd per host that cluster.json gives an
 * {@code rsyslog} section, each with its own rendered config and pid file (no system rsyslog is touched). The
 * central host starts first; every gateway host then tails its node's access.log and app.log and ships them over
 * RELP. Absent when the inventory leaves rsyslog off (loopback).
 */
final class CentralLogs {
    private final List<ManagedProcess> daemons;
    private final Optional<Path> centralDir;

    private CentralLogs(List<ManagedProcess> daemons, Optional<Path> centralDir) {
        this.daemons = daemons;
        this.centralDir = centralDir;
    }

    /**
     * Starts the rsyslogd of every host with an rsyslog section, central host first; {@code register} tracks each
     * process before it starts (so a failed start still stops it) and starts it.
     */
    static CentralLogs start(ClusterLayout layout, Path workDir, Consumer<String> progress,
                             ProcessStarter register, Duration ready) throws IOException {
        List<Host> hosts = layout.hosts().values().stream().filter(h -> h.json().containsKey("rsyslog"))
                .sorted(java.util.Comparator.comparing(h -> !role(h).equals("central"))).toList();
        if (hosts.isEmpty()) {
            return new CentralLogs(List.of(), Optional.empty());
        }
        List<ManagedProcess> started = new ArrayList<>();
        Optional<Path> central = Optional.empty();
        for (Host h : hosts) {
            JsonObject r = h.json().getJsonObject("rsyslog");
            Path pidFile = Path.of(r.getString("pid-file"));
            Files.deleteIfExists(pidFile);
            if (role(h).equals("central")) {
                central = Optional.of(Path.of(r.getString("central-dir")));
            }
            // rsyslogd writes its pid file once the config is loaded and its inputs are listening
            ManagedProcess p = new ManagedProcess("rsyslog-" + h.name(), h.name(), h.netns(),
                    List.of("rsyslogd", "-n", "-f", r.getString("config"), "-i", pidFile.toString()), Map.of(),
                    workDir, () -> Files.isRegularFile(pidFile), () -> { }, progress);
            register.start(p);
            p.awaitReady(ready);
            started.add(p);
        }
        progress.accept("central logs: " + (started.size() - 1) + " rsyslog senders -> rsyslog on "
                + hosts.get(0).name() + ", writing " + central.map(Path::toString).orElse("?"));
        return new CentralLogs(List.copyOf(started), central);
    }

    private static String role(Host h) {
        return h.json().getJsonObject("rsyslog").getString("role");
    }

    /** Tracks and starts one process. */
    @FunctionalInterface
    interface ProcessStarter {
        void start(ManagedProcess p) throws IOException;
    }

    List<ManagedProcess> daemons() {
        return daemons;
    }

    /** Where the central host writes {@code <node>.log} and {@code all.jsonl}; empty when logs are not shipped. */
    Optional<Path> centralDir() {
        return centralDir;
    }
}
