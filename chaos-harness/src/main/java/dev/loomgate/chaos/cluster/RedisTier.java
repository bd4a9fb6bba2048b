package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import dev.loomgate.chaos.cluster.ClusterLayout.Host;

/** Redis master + replica(s) and the sentinels watching them (master name {@code loomgate}). */
final class RedisTier {
    private RedisTier() {
    }

    /** Starts the layout's Redis servers into {@code redis} and sentinels into {@code sentinels}; waits for all. */
    static void start(ClusterLayout layout, Probes probes, Launcher launcher, List<ManagedProcess> redis,
                      List<ManagedProcess> sentinels, Duration ready) throws IOException {
        for (Host h : layout.group("redis")) {
            Path conf = h.dir().resolve("redis.conf");
            int port = h.port("redis", "port");
            redis.add(launcher.process(h.name(), h, List.of("redis-server", conf.toString()),
                    () -> probes.redis(h.netns(), h.address(), port, "PING").equals(List.of("PONG")), () -> { }));
        }
        for (Host h : layout.group("sentinels")) {
            Path template = h.dir().resolve("sentinel.conf");
            Path copy = h.dir().resolve("sentinel-run.conf");
            int port = h.port("sentinel", "port");
            // Sentinel rewrites its config while it runs: every start gets a fresh copy of the rendered file.
            sentinels.add(launcher.process(h.name(), h, List.of("redis-sentinel", copy.toString()),
                    () -> probes.redis(h.netns(), h.address(), port, "SENTINEL", "get-master-addr-by-name",
                            "loomgate").size() == 2,
                    () -> {
                        try {
                            Files.copy(template, copy, StandardCopyOption.REPLACE_EXISTING);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }));
        }
        for (ManagedProcess p : redis) {
            p.awaitReady(ready);
        }
        for (ManagedProcess p : sentinels) {
            p.awaitReady(ready);
        }
        launcher.progress().accept("redis master + replica and " + sentinels.size() + " sentinels ready");
    }

    /** The Redis process that the sentinels currently name as master (the first sentinel that answers). */
    static ManagedProcess master(ClusterLayout layout, Probes probes, List<ManagedProcess> redis,
                                 List<ManagedProcess> sentinels) throws IOException {
        IOException last = null;
        for (ManagedProcess s : sentinels) {
            Host h = layout.host(s.host());
            try {
                List<String> addr = probes.redis(h.netns(), h.address(), h.port("sentinel", "port"), "SENTINEL",
                        "get-master-addr-by-name", "loomgate");
                for (ManagedProcess r : redis) {
                    Host rh = layout.host(r.host());
                    if (addr.size() == 2 && rh.address().equals(addr.get(0))
                            && Integer.toString(rh.port("redis", "port")).equals(addr.get(1))) {
                        return r;
                    }
                }
                last = new IOException("sentinel " + s.name() + " names " + addr + ", not one of this cluster's redis");
            } catch (IOException e) {
                last = e;
            }
        }
        throw last == null ? new IOException("no sentinel") : last;
    }
}
