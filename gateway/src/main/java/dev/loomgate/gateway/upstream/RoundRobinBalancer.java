package dev.loomgate.gateway.upstream;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

import dev.loomgate.gateway.http.RequestView;

/**
 * Smooth weighted round robin (the nginx algorithm): each pick adds every usable host's weight
 * to its current value, takes the host with the largest current value and subtracts the total
 * usable weight from it. Weights 5,1,1 give {@code a a b a c a a}.
 *
 * <p>Concurrency: the current values are guarded by a short {@link ReentrantLock} section that
 * does only integer arithmetic over the host array. A lock-free precomputed schedule over an
 * atomic counter was rejected because it cannot honour weights when hosts are skipped: skipping
 * an unavailable or excluded slot hands its turn to whichever host follows it in the schedule,
 * so that host gets more than its share. Running the algorithm over exactly the usable hosts
 * (as nginx does) keeps the smooth, exactly proportional sequence among the rest. Usability
 * ({@code available()}, {@code exclude}) is read before taking the lock so nothing but
 * arithmetic runs while it is held; virtual threads are not pinned by a ReentrantLock.
 */
final class RoundRobinBalancer implements LoadBalancer {
    private final UpstreamHost[] hosts;
    private final int[] weights;
    private final long[] current; // guarded by lock
    private final ReentrantLock lock = new ReentrantLock();

    RoundRobinBalancer(List<UpstreamHost> hosts) {
        this.hosts = hosts.toArray(UpstreamHost[]::new);
        this.weights = new int[this.hosts.length];
        for (int i = 0; i < this.hosts.length; i++) {
            weights[i] = this.hosts[i].weight();
        }
        this.current = new long[this.hosts.length];
    }

    @Override
    public Optional<UpstreamHost> choose(RequestView request, Set<UpstreamHost> exclude) {
        int n = hosts.length;
        boolean[] usable = new boolean[n];
        boolean any = false;
        for (int i = 0; i < n; i++) {
            UpstreamHost h = hosts[i];
            usable[i] = h.available() && !exclude.contains(h);
            any |= usable[i];
        }
        if (!any) {
            return Optional.empty();
        }
        int best = -1;
        lock.lock();
        try {
            long total = 0;
            for (int i = 0; i < n; i++) {
                if (!usable[i]) {
                    continue;
                }
                current[i] += weights[i];
                total += weights[i];
                if (best < 0 || current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
        } finally {
            lock.unlock();
        }
        return Optional.of(hosts[best]);
    }
}
