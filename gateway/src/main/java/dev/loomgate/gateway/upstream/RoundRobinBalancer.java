package dev.loomgate.gateway.upstream;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;

import dev.loomgate.gateway.http.RequestView;

/**
 * Smooth weighted round robin (the nginx algorithm): each pick adds every usable host's weight
 * to its current value, takes the host with the largest current value and subtracts the total
 * usable weight from it. Weights 5,1,1 give {@code a a b a c a a}.
 *
 * <p>Lock-free: the sequence of one set of usable hosts is periodic (its period is the sum of
 * their weights), so it is computed once per set into an immutable schedule and a pick is
 * {@code schedule[ticket % period]} with one shared atomic ticket. Each set of usable hosts (a
 * bit mask of the host array) has its own schedule, which keeps the exact smooth, proportional
 * sequence among the usable hosts when some are unavailable or excluded by a retry (skipping
 * slots of one schedule would hand a skipped host's turns to its neighbour). The schedule in use
 * is cached in a volatile field, so the common pick (no host set change) reads two fields,
 * takes a ticket and allocates nothing. Upstreams of more than 64 hosts use the schedule of all
 * hosts and skip unusable slots (shares then are close to, not exactly, the weights).
 */
final class RoundRobinBalancer implements LoadBalancer {
    /**
     * Schedules kept per balancer; a flapping upstream could otherwise grow the cache without end.
     * A schedule is one int per unit of weight (after dividing by the weights' gcd): at most
     * 64 hosts x weight 1000, 256 KB, and usually a few bytes.
     */
    private static final int MAX_SCHEDULES = 64;

    private final UpstreamHost[] hosts;
    /** One answer per host, made once: a pick allocates nothing. */
    private final List<Optional<UpstreamHost>> answers;
    private final AtomicLong tickets = new AtomicLong();
    private final Map<Long, Schedule> schedules = new ConcurrentHashMap<>();
    private volatile Schedule last;

    /** The pick sequence of one set of usable hosts: host indexes, one period long. */
    private record Schedule(long mask, int[] picks) {
    }

    RoundRobinBalancer(List<UpstreamHost> hosts) {
        this.hosts = hosts.toArray(UpstreamHost[]::new);
        this.answers = hosts.stream().map(Optional::of).toList();
    }

    @Override
    public Optional<UpstreamHost> choose(RequestView request, Set<UpstreamHost> exclude) {
        int n = hosts.length;
        if (n > Long.SIZE) {
            return chooseAmongMany(exclude);
        }
        long mask = 0;
        for (int i = 0; i < n; i++) {
            UpstreamHost h = hosts[i];
            if (h.available() && (exclude.isEmpty() || !exclude.contains(h))) {
                mask |= 1L << i;
            }
        }
        if (mask == 0) {
            return Optional.empty();
        }
        Schedule s = last;
        if (s == null || s.mask() != mask) {
            s = schedule(mask);
            last = s;
        }
        int[] picks = s.picks();
        return answers.get(picks[(int) Long.remainderUnsigned(tickets.getAndIncrement(), picks.length)]);
    }

    private Schedule schedule(long mask) {
        Schedule s = schedules.get(mask);
        if (s == null) {
            if (schedules.size() >= MAX_SCHEDULES) {
                schedules.clear();
            }
            s = schedules.computeIfAbsent(mask, m -> new Schedule(m, smoothSequence(m)));
        }
        return s;
    }

    /** One period of the nginx smooth weighted sequence over the hosts in {@code mask}. */
    private int[] smoothSequence(long mask) {
        return smoothSequence(i -> (mask & (1L << i)) != 0);
    }

    private int[] smoothSequence(IntPredicate usable) {
        int n = hosts.length;
        int gcd = 0;
        for (int i = 0; i < n; i++) {
            if (usable.test(i)) {
                gcd = gcd(gcd, hosts[i].weight());
            }
        }
        long[] weight = new long[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            if (usable.test(i)) {
                weight[i] = hosts[i].weight() / gcd; // scaling all weights does not change the sequence
                total += weight[i];
            }
        }
        int[] picks = new int[Math.toIntExact(total)];
        long[] current = new long[n];
        for (int p = 0; p < picks.length; p++) {
            int best = -1;
            for (int i = 0; i < n; i++) {
                if (weight[i] == 0) {
                    continue;
                }
                current[i] += weight[i];
                if (best < 0 || current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            picks[p] = best;
        }
        return picks;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private Optional<UpstreamHost> chooseAmongMany(Set<UpstreamHost> exclude) {
        Schedule all = last;
        if (all == null) {
            all = new Schedule(-1, smoothSequence(i -> true));
            last = all;
        }
        int[] picks = all.picks();
        long start = tickets.getAndIncrement();
        for (int step = 0; step < picks.length; step++) {
            int i = picks[(int) Long.remainderUnsigned(start + step, picks.length)];
            if (hosts[i].available() && !exclude.contains(hosts[i])) {
                return answers.get(i);
            }
        }
        return Optional.empty();
    }
}
