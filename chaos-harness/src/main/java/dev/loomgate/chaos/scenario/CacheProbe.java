package dev.loomgate.chaos.scenario;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.FaultEvent;

/**
 * The cache half of scenario 11: in a loop, reads a cached key through the cluster's front until it is cached,
 * purges it through one node's admin API, then reads it through the front (any node) for a while and records how
 * long after the purge was acknowledged the old version was still served (0 when never). Every answer on the cached
 * route is also checked for 5xx. Runs beside the scenario's load and faults; {@link #criteria} turns the samples into
 * the pass criteria (staleness bound held, 0 5xx).
 */
final class CacheProbe implements AutoCloseable {
    /** The cached route of demo-routes.yaml; DemoUpstream answers /cached/... with a version and max-age. */
    static final String PATH = "/cached/probe-";
    /** docs/CACHE.md: a node notices a lost subscription within about a second and flushes L1. */
    static final double MAX_STALENESS_MS = 1500;
    private static final Pattern VERSION = Pattern.compile("\"version\"\\s*:\\s*(\\d+)");

    private final ChaosCluster cluster;
    private final AtomicBoolean stop = new AtomicBoolean();
    /** One purge: when it was acknowledged (wall clock) and how long afterwards the old version was last served. */
    record Sample(long ackedEpochMillis, double staleMillis) {
    }

    private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong serverErrors = new AtomicLong();
    private final AtomicLong purgeFailures = new AtomicLong();
    private final Thread thread;
    private final HttpClient admin = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

    private CacheProbe(ChaosCluster cluster) {
        this.cluster = cluster;
        this.thread = Thread.ofVirtual().name("cache-probe").start(this::loop);
    }

    static CacheProbe start(ChaosCluster cluster) {
        return new CacheProbe(cluster);
    }

    private void loop() {
        int round = 0;
        while (!stop.get()) {
            String path = PATH + (round++ % 8);
            try {
                probe(path);
            } catch (Exception e) {
                purgeFailures.incrementAndGet(); // a node being killed: the next round goes on
            }
        }
    }

    private void probe(String path) throws Exception {
        long old = -1;
        for (int i = 0; i < 3; i++) { // the second read of a key is a hit somewhere: that version is the old one
            old = read(path);
        }
        if (old < 0 || !purge(path)) {
            pause(50);
            return;
        }
        long acked = System.nanoTime();
        long ackedEpochMillis = System.currentTimeMillis();
        double lastStale = 0;
        long until = acked + Duration.ofMillis(2_000).toNanos();
        while (System.nanoTime() < until && !stop.get()) {
            long sent = System.nanoTime();
            if (read(path) == old) {
                lastStale = (sent - acked) / 1e6;
            }
            pause(5); // paces the probe
        }
        samples.add(new Sample(ackedEpochMillis, lastStale));
    }

    /** The version a read returned, or -1 for a failed read. */
    private long read(String path) {
        try {
            HttpResult r = cluster.httpGet(cluster.frontUrl().resolve(path));
            reads.incrementAndGet();
            if (r.status() >= 500) {
                serverErrors.incrementAndGet();
                return -1;
            }
            Matcher m = VERSION.matcher(r.body());
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    /** Purges through the first gateway that takes it (one may be the killed one). */
    private boolean purge(String path) {
        for (ClusterProcess gw : cluster.gateways()) {
            if (!gw.alive()) {
                continue;
            }
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(cluster.adminUrl(gw).resolve("/admin/cache/purge"))
                        .timeout(Duration.ofSeconds(2)).header("X-Loomgate-Admin", "1")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"route\":\"cached\",\"host\":\"" + host()
                                + "\",\"path\":\"" + path + "\"}"));
                cluster.adminHeaders().forEach(b::header);
                if (admin.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return true;
                }
            } catch (java.io.IOException e) {
                // try the next node
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        purgeFailures.incrementAndGet();
        return false;
    }

    private String host() {
        return cluster.frontUrl().getHost().toLowerCase(java.util.Locale.ROOT);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The criteria; the worst purge is named with its time relative to {@code faults}, the evidence of a miss. */
    List<Criterion> criteria(List<FaultEvent> faults) {
        List<Sample> sorted;
        synchronized (samples) {
            sorted = new ArrayList<>(samples);
        }
        sorted.sort(java.util.Comparator.comparingDouble(Sample::staleMillis));
        List<Criterion> out = new ArrayList<>();
        out.add(Criterion.atMost("5xx on the cached route", "cache probe reads answered 5xx (of " + reads.get()
                + ")", serverErrors.get(), "requests", 0));
        if (sorted.isEmpty()) {
            out.add(Criterion.notMeasured("cache staleness after a purge", "old version served after a purge",
                    "ms", "<= " + MAX_STALENESS_MS + " ms", "no purge completed (" + purgeFailures.get() + " failed)"));
            return out;
        }
        Sample worst = sorted.getLast();
        double p99 = sorted.get(Math.max(0, (int) Math.ceil(0.99 * sorted.size()) - 1)).staleMillis();
        out.add(Criterion.atMost("cache staleness after a purge, max", "longest time any node served the old "
                + "version after a purge was acknowledged, over " + sorted.size() + " purges; the worst purge was "
                + "acknowledged " + relativeTo(worst.ackedEpochMillis(), faults), worst.staleMillis(), "ms",
                MAX_STALENESS_MS));
        out.add(Criterion.atMost("cache staleness after a purge, p99", "p99 of the same (goal of make bench-cache)",
                p99, "ms", 50));
        return out;
    }

    /** "1.2 s after kill -9 gw2" for the nearest fault before {@code epochMillis}, or before the first fault. */
    static String relativeTo(long epochMillis, List<FaultEvent> faults) {
        FaultEvent nearest = null;
        for (FaultEvent f : faults) {
            if (f.startMillis() <= epochMillis && (nearest == null || f.startMillis() > nearest.startMillis())) {
                nearest = f;
            }
        }
        if (nearest == null) {
            return faults.isEmpty() ? "with no fault injected"
                    : String.format(java.util.Locale.ROOT, "%.1f s before %s",
                            (faults.getFirst().startMillis() - epochMillis) / 1000.0, faults.getFirst().label());
        }
        return String.format(java.util.Locale.ROOT, "%.1f s after %s", (epochMillis - nearest.startMillis()) / 1000.0,
                nearest.label());
    }

    @Override
    public void close() {
        stop.set(true);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
