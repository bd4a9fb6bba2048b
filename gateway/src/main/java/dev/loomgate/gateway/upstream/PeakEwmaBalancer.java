package dev.loomgate.gateway.upstream;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import dev.loomgate.gateway.http.RequestView;

/**
 * Latency-aware power of two choices (Finagle's {@code P2CPeakEwma}, Linkerd's default): draws two
 * distinct usable hosts and takes the one with the lower cost, where cost is the host's
 * {@link PeakEwma} latency estimate times {@code (in flight + 1)}, divided by its weight. An
 * endpoint that turns slow is avoided from its first slow answer (the peak replaces the average);
 * it is probed again once its estimate has decayed to the others' cost.
 *
 * <p>A host with no latency history yet and requests in flight costs {@link #PENALTY} (plus its
 * in-flight count): a new or restarted endpoint gets one request at a time until its first answer
 * says how fast it is, instead of all the traffic its zero estimate would attract. With nothing in
 * flight it costs 0 and is picked, which is how it gets that first request.
 *
 * <p>No lock and no allocation per pick: two passes over the host array (count the usable hosts,
 * then find the two drawn ranks) and prebuilt {@code Optional} answers. Latency is recorded by the
 * call layer ({@code call.PeakEwmaCall}) on {@link UpstreamHost#latency()}.
 */
final class PeakEwmaBalancer implements LoadBalancer {
    /** Finagle's penalty for an endpoint without history ({@code Long.MaxValue >> 16} ns, 39 hours). */
    static final double PENALTY = Long.MAX_VALUE >> 16;

    private final UpstreamHost[] hosts;
    private final List<Optional<UpstreamHost>> answers;
    private final long decayNanos;

    PeakEwmaBalancer(List<UpstreamHost> hosts, PeakEwmaSettings settings) {
        this.hosts = hosts.toArray(UpstreamHost[]::new);
        this.answers = hosts.stream().map(Optional::of).toList();
        this.decayNanos = settings.decayNanos();
    }

    @Override
    public Optional<UpstreamHost> choose(RequestView request, Set<UpstreamHost> exclude) {
        int count = 0;
        for (UpstreamHost h : hosts) {
            if (usable(h, exclude)) {
                count++;
            }
        }
        if (count == 0) {
            return Optional.empty();
        }
        int firstRank = 0;
        int secondRank = 0;
        if (count > 1) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            firstRank = random.nextInt(count);
            secondRank = random.nextInt(count - 1);
            if (secondRank >= firstRank) {
                secondRank++; // distinct from the first
            }
        }
        int first = -1;
        int second = -1;
        for (int i = 0, rank = 0; i < hosts.length && (first < 0 || second < 0); i++) {
            if (usable(hosts[i], exclude)) {
                if (rank == firstRank) {
                    first = i;
                }
                if (rank == secondRank) {
                    second = i;
                }
                rank++;
            }
        }
        if (first < 0 || second < 0) {
            // a host changed state between the passes: take whichever was found, else any usable one
            int found = Math.max(first, second);
            return found >= 0 ? answers.get(found) : anyUsable(exclude);
        }
        if (first == second) {
            return answers.get(first);
        }
        long now = System.nanoTime();
        UpstreamHost a = hosts[first];
        UpstreamHost b = hosts[second];
        // a.cost / a.weight <= b.cost / b.weight, cross-multiplied; a tie keeps a, itself a random draw
        return cost(b, now, decayNanos) * a.weight() < cost(a, now, decayNanos) * b.weight()
                ? answers.get(second) : answers.get(first);
    }

    /** The latency estimate times the requests it would have in flight with this one (weight aside). */
    static double cost(UpstreamHost host, long nowNanos, long decayNanos) {
        int inFlight = Math.max(0, host.inFlight());
        double latency = host.latency().estimate(nowNanos, decayNanos);
        if (latency == 0 && inFlight > 0) {
            return PENALTY + inFlight;
        }
        return latency * (inFlight + 1);
    }

    private Optional<UpstreamHost> anyUsable(Set<UpstreamHost> exclude) {
        for (int i = 0; i < hosts.length; i++) {
            if (usable(hosts[i], exclude)) {
                return answers.get(i);
            }
        }
        return Optional.empty();
    }

    private static boolean usable(UpstreamHost h, Set<UpstreamHost> exclude) {
        return h.available() && (exclude.isEmpty() || !exclude.contains(h));
    }
}
