package dev.loomgate.consul.standin.agent;

import dev.loomgate.consul.standin.store.CheckDefinition;
import dev.loomgate.consul.standin.store.CheckState;
import dev.loomgate.consul.standin.store.Store;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

/**
 * The agent's background work, on virtual threads: one probe loop per HTTP/TCP check, and a ticker that expires
 * TTL checks and sessions and reaps services that stayed critical (DeregisterCriticalServiceAfter).
 */
public final class AgentRuntime {
    private static final Logger LOG = Logger.getLogger(AgentRuntime.class.getName());
    private static final Duration TICK = Duration.ofMillis(200);
    /** Consul raises smaller check intervals to this. */
    private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

    private final Store store;
    private final Duration minimumDeregisterAfter;
    private final Duration reapInterval;
    private final Map<String, Probe> probes = new HashMap<>();
    private volatile boolean running;
    private Thread ticker;

    private record Probe(CheckDefinition definition, Thread thread) {
    }

    public AgentRuntime(Store store, Duration minimumDeregisterAfter, Duration reapInterval) {
        this.store = store;
        this.minimumDeregisterAfter = minimumDeregisterAfter;
        this.reapInterval = reapInterval;
    }

    public void start() {
        running = true;
        ticker = Thread.ofVirtual().name("consul-standin-ticker").start(this::tickLoop);
    }

    public void stop() {
        running = false;
        if (ticker != null) {
            ticker.interrupt();
            join(ticker);
        }
        // only the ticker touches the probe map, and it has stopped
        for (Probe probe : probes.values()) {
            probe.thread().interrupt();
        }
        probes.values().forEach(p -> join(p.thread()));
        probes.clear();
    }

    private void tickLoop() {
        long nextReap = System.nanoTime() + reapInterval.toNanos();
        while (running) {
            try {
                reconcileProbes();
                store.catalog().expireTtlChecks();
                store.sessions().expireSessions();
                if (System.nanoTime() - nextReap >= 0) {
                    nextReap = System.nanoTime() + reapInterval.toNanos();
                    for (String id : store.catalog().reapCriticalServices(minimumDeregisterAfter)) {
                        LOG.info(() -> "deregistered service " + id + " after it stayed critical");
                    }
                }
                Thread.sleep(TICK);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warning("agent ticker: " + e);
            }
        }
    }

    /** Starts probes for new or redefined checks and stops those of removed checks. */
    private void reconcileProbes() {
        Set<String> seen = new HashSet<>();
        for (CheckState check : store.catalog().checks()) {
            CheckDefinition def = check.definition();
            if (!def.type().equals("http") && !def.type().equals("tcp")) {
                continue;
            }
            seen.add(def.checkId());
            Probe existing = probes.get(def.checkId());
            if (existing != null && existing.definition().equals(def)) {
                continue;
            }
            if (existing != null) {
                existing.thread().interrupt();
            }
            Thread thread = Thread.ofVirtual().name("consul-standin-check-" + def.checkId())
                    .start(() -> probeLoop(def));
            probes.put(def.checkId(), new Probe(def, thread));
        }
        probes.entrySet().removeIf(e -> {
            if (!seen.contains(e.getKey())) {
                e.getValue().thread().interrupt();
                return true;
            }
            return false;
        });
    }

    private void probeLoop(CheckDefinition def) {
        Duration interval = def.interval().compareTo(MIN_INTERVAL) < 0 ? MIN_INTERVAL : def.interval();
        int successes = 0;
        int failures = 0;
        try {
            // the first probe comes after a random part of the interval, as in Consul
            Thread.sleep(Duration.ofNanos(ThreadLocalRandom.current().nextLong(interval.toNanos())));
            while (running && !Thread.currentThread().isInterrupted()) {
                CheckProbe.Result result = CheckProbe.run(def);
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                if (result.status().equals("passing")) {
                    successes++;
                    failures = 0;
                    if (successes >= def.successBeforePassing()) {
                        store.catalog().recordResult(def, "passing", result.output());
                    }
                } else {
                    failures++;
                    successes = 0;
                    int beforeWarning = def.failuresBeforeWarning();
                    if (failures >= def.failuresBeforeCritical()) {
                        store.catalog().recordResult(def, result.status(), result.output());
                    } else if (failures >= beforeWarning) {
                        store.catalog().recordResult(def, "warning", result.output());
                    }
                }
                Thread.sleep(interval);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
