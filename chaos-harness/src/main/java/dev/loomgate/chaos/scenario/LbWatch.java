package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.load.EpochClock;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/** Watches the LBs' view of a gateway node through HAProxy's runtime API, every 50 ms. */
public final class LbWatch {
    private static final Duration INTERVAL = Duration.ofMillis(50);

    private LbWatch() {
    }

    /**
     * Per live LB: milliseconds from {@code fromMillis} until it reported {@code server} out of rotation (DOWN,
     * MAINT, DRAIN), or empty if it still had it UP after {@code timeout}.
     */
    public static Map<String, OptionalLong> markedOut(ChaosCluster cluster, String server, long fromMillis,
                                                      EpochClock clock, Duration timeout) throws InterruptedException {
        Map<String, HaproxyStats> lbs = new LinkedHashMap<>();
        for (ClusterProcess lb : cluster.lbs()) {
            if (lb.alive()) {
                lbs.put(lb.name(), cluster.haproxyStats(lb));
            }
        }
        return markedOut(lbs, server, fromMillis, clock, timeout);
    }

    /** The same for LBs given by name and stats source. */
    public static Map<String, OptionalLong> markedOut(Map<String, HaproxyStats> lbs, String server, long fromMillis,
                                                      EpochClock clock, Duration timeout) throws InterruptedException {
        Map<String, OptionalLong> out = new LinkedHashMap<>();
        Map<String, HaproxyStats> pending = new LinkedHashMap<>(lbs);
        lbs.keySet().forEach(name -> out.put(name, OptionalLong.empty()));
        long deadline = fromMillis + timeout.toMillis();
        while (!pending.isEmpty() && clock.epochMillis() < deadline) {
            long now = clock.epochMillis();
            pending.entrySet().removeIf(e -> {
                if (isOut(e.getValue(), server)) {
                    out.put(e.getKey(), OptionalLong.of(now - fromMillis));
                    return true;
                }
                return false;
            });
            Thread.sleep(INTERVAL.toMillis());
        }
        return out;
    }

    /** Waits until every live LB has {@code server} UP again (after a restart). */
    public static boolean awaitUp(ChaosCluster cluster, String server, Duration timeout) throws InterruptedException {
        return awaitUp(cluster.lbs().stream().filter(ClusterProcess::alive).map(cluster::haproxyStats).toList(),
                server, timeout);
    }

    public static boolean awaitUp(java.util.Collection<HaproxyStats> lbs, String server, Duration timeout)
            throws InterruptedException {
        return Polling.until(new EpochClock(), Duration.ofMillis(100), timeout,
                () -> lbs.stream().allMatch(lb -> state(lb, server).equals("UP"))).isPresent();
    }

    private static boolean isOut(HaproxyStats stats, String server) {
        try {
            return stats.server(server).map(HaproxyStats.ServerState::out).orElse(false);
        } catch (IOException e) {
            return false;
        }
    }

    private static String state(HaproxyStats stats, String server) {
        try {
            return stats.server(server).map(HaproxyStats.ServerState::status).orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }
}
