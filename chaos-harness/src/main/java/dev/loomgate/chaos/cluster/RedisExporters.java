package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;

import dev.loomgate.chaos.cluster.ClusterLayout.Host;

/**
 * One redis_exporter (Debian's {@code prometheus-redis-exporter}) per Redis host, in the host's namespace, with
 * the flags ansible/roles/redis rendered (cluster.json's {@code redis-exporter} section): Prometheus scrapes them
 * as job {@code redis} for the dashboard's Redis row and the RedisDown alert. Ready once its /metrics says it
 * reached its Redis ({@code redis_up 1}). Absent when the exporter is not installed: the dashboard then has the
 * gateway's own Redis panels only, and the cluster says so.
 */
final class RedisExporters {
    static final String COMMAND = "prometheus-redis-exporter";

    private RedisExporters() {
    }

    /**
     * Starts the exporter of every Redis host and waits until each has reached its Redis; {@code register} tracks
     * each process before it starts (so a failed start still stops it) and starts it.
     */
    static List<ManagedProcess> start(ClusterLayout layout, Probes probes, java.nio.file.Path workDir,
                                      Consumer<String> progress, CentralLogs.ProcessStarter register,
                                      Duration ready, Map<String, String> env) throws IOException {
        List<Host> hosts = layout.group("redis").stream().filter(h -> h.json().containsKey("redis-exporter")).toList();
        if (hosts.isEmpty()) {
            return List.of();
        }
        if (!installed()) {
            progress.accept(COMMAND + " is not installed (make deps): the dashboard's redis_exporter panels stay empty");
            return List.of();
        }
        List<ManagedProcess> started = new ArrayList<>();
        for (Host h : hosts) {
            JsonObject e = h.json().getJsonObject("redis-exporter");
            String metrics = "http://" + e.getString("listen") + "/metrics";
            List<String> cmd = new ArrayList<>(List.of(COMMAND));
            e.getJsonArray("args").getValuesAs(JsonString.class).forEach(a -> cmd.add(a.getString()));
            ManagedProcess p = new ManagedProcess("redis-exporter-" + h.name(), h.name(), h.netns(), cmd, env,
                    workDir, () -> probes.get(h.netns(), metrics, Map.of(), Duration.ofSeconds(2)).body()
                            .contains("\nredis_up 1"), () -> { }, progress);
            register.start(p);
            started.add(p);
        }
        for (ManagedProcess p : started) {
            p.awaitReady(ready);
        }
        progress.accept(started.size() + " redis_exporters ready");
        return List.copyOf(started);
    }

    private static boolean installed() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, COMMAND))) {
                return true;
            }
        }
        return false;
    }
}
