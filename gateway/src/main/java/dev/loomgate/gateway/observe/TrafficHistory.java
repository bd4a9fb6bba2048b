package dev.loomgate.gateway.observe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A small ring buffer of the node's own per-route counters and latency buckets, sampled every few
 * seconds, so the cluster page can show request rate and p99 per route over the last minutes
 * without a Prometheus. The hot path is untouched: sampling reads the same LongAdders a scrape
 * reads. Samples are immutable; the ring is replaced, never mutated in place, so readers need no
 * lock.
 */
public final class TrafficHistory implements AutoCloseable {
    /** One route's counters at one instant: totals, 5xx and non-cumulative latency buckets. */
    record RouteSample(long requests, long serverErrors, long[] buckets) {
    }

    /** All routes at one instant. */
    record Sample(long nanos, Map<String, RouteSample> routes) {
    }

    /**
     * One route over a window.
     *
     * @param requestsPerSecond     answered requests per second
     * @param serverErrorsPerSecond 5xx answers per second
     * @param p99                   99th percentile latency, interpolated in the histogram buckets as
     *                              Prometheus's histogram_quantile does; empty without requests
     * @param series                requests per second between consecutive samples, oldest first
     */
    public record RouteRate(String route, double requestsPerSecond, double serverErrorsPerSecond,
                            Optional<Duration> p99, List<Double> series) {
        public RouteRate {
            series = List.copyOf(series);
        }
    }

    private final Supplier<List<Map.Entry<String, TrafficStats>>> routes;
    private final LongSupplier clock;
    private final int capacity;
    private final Duration interval;
    private final double[] bounds = Histogram.LATENCY_SECONDS;
    private volatile List<Sample> ring = List.of();
    private volatile ScheduledExecutorService sampler;

    /**
     * @param routes   the live per-route handles (e.g. {@link GatewayMetrics#routeStats()})
     * @param interval time between samples
     * @param keep     how far back the ring reaches
     * @param clock    monotonic nanoseconds (System::nanoTime; a test passes its own)
     */
    public TrafficHistory(Supplier<List<Map.Entry<String, TrafficStats>>> routes, Duration interval, Duration keep,
                          LongSupplier clock) {
        if (interval.isZero() || interval.isNegative() || keep.compareTo(interval) < 0) {
            throw new IllegalArgumentException("interval must be positive and keep at least one interval");
        }
        this.routes = routes;
        this.interval = interval;
        this.capacity = (int) (keep.toMillis() / interval.toMillis()) + 1;
        this.clock = clock;
    }

    /** Samples every {@code interval} on a daemon thread until {@link #close()}. */
    public TrafficHistory start() {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loomgate-traffic-history");
            t.setDaemon(true);
            return t;
        });
        sampler = s;
        s.scheduleAtFixedRate(this::sample, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    public Duration interval() {
        return interval;
    }

    /** Takes one sample now (the scheduler calls this; tests call it directly). */
    public void sample() {
        Map<String, RouteSample> now = new java.util.TreeMap<>();
        for (Map.Entry<String, TrafficStats> e : routes.get()) {
            TrafficStats t = e.getValue();
            now.put(e.getKey(), new RouteSample(t.latency().count(), t.count(5), t.latency().bucketCounts()));
        }
        List<Sample> next = new ArrayList<>(ring);
        next.add(new Sample(clock.getAsLong(), Map.copyOf(now)));
        while (next.size() > capacity) {
            next.removeFirst();
        }
        ring = List.copyOf(next);
    }

    /** Rates and p99 per route between the oldest sample inside {@code window} and the newest; sorted by route. */
    public List<RouteRate> rates(Duration window) {
        List<Sample> samples = ring;
        if (samples.size() < 2) {
            return List.of();
        }
        Sample last = samples.getLast();
        int from = samples.size() - 1;
        while (from > 0 && last.nanos() - samples.get(from - 1).nanos() <= window.toNanos()) {
            from--;
        }
        if (from == samples.size() - 1) {
            from = samples.size() - 2; // a window shorter than one interval: the last interval
        }
        List<Sample> inWindow = samples.subList(from, samples.size());
        Sample first = inWindow.getFirst();
        double seconds = (last.nanos() - first.nanos()) / 1e9;
        List<RouteRate> out = new ArrayList<>();
        for (Map.Entry<String, RouteSample> e : new java.util.TreeMap<>(last.routes()).entrySet()) {
            RouteSample end = e.getValue();
            RouteSample start = first.routes().getOrDefault(e.getKey(), new RouteSample(0, 0, new long[end.buckets().length]));
            long[] delta = new long[end.buckets().length];
            for (int i = 0; i < delta.length; i++) {
                delta[i] = Math.max(0, end.buckets()[i] - start.buckets()[i]);
            }
            List<Double> series = new ArrayList<>();
            for (int i = 1; i < inWindow.size(); i++) {
                Sample a = inWindow.get(i - 1);
                Sample b = inWindow.get(i);
                long before = Optional.ofNullable(a.routes().get(e.getKey())).map(RouteSample::requests).orElse(0L);
                long after = Optional.ofNullable(b.routes().get(e.getKey())).map(RouteSample::requests).orElse(0L);
                series.add(Math.max(0, after - before) / ((b.nanos() - a.nanos()) / 1e9));
            }
            out.add(new RouteRate(e.getKey(), Math.max(0, end.requests() - start.requests()) / seconds,
                    Math.max(0, end.serverErrors() - start.serverErrors()) / seconds, quantile(0.99, delta), series));
        }
        return out;
    }

    /** histogram_quantile over non-cumulative bucket counts (the +Inf bucket answers its lower bound). */
    Optional<Duration> quantile(double q, long[] counts) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return Optional.empty();
        }
        double rank = q * total;
        long cumulative = 0;
        for (int i = 0; i < counts.length; i++) {
            long before = cumulative;
            cumulative += counts[i];
            if (cumulative >= rank && counts[i] > 0) {
                if (i >= bounds.length) {
                    return Optional.of(seconds(bounds[bounds.length - 1]));
                }
                double lower = i == 0 ? 0 : bounds[i - 1];
                double upper = bounds[i];
                return Optional.of(seconds(lower + (upper - lower) * (rank - before) / counts[i]));
            }
        }
        return Optional.of(seconds(bounds[bounds.length - 1]));
    }

    private static Duration seconds(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }

    @Override
    public void close() {
        ScheduledExecutorService s = sampler;
        if (s != null) {
            s.shutdownNow();
        }
    }
}
