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
        Map<String, OptionalLong> out = new LinkedHashMap<>();
        Map<String, HaproxyStats> pending = new LinkedHashMap<>();
        for (ClusterProcess lb : cluster.lbs()) {
            if (lb.alive()) {
                pending.put(lb.name(), cluster.haproxyStats(lb));
                out.put(lb.name(), OptionalLong.empty());
            }
        }
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
        EpochClock clock = new EpochClock();
        return Polling.until(clock, Duration.ofMillis(100), timeout, () -> cluster.lbs().stream()
                .filter(ClusterProcess::alive)
                .allMatch(lb -> state(cluster.haproxyStats(lb), server).equals("UP"))).isPresent();
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
