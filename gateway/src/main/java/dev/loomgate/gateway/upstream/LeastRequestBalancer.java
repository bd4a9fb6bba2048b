package dev.loomgate.gateway.upstream;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import dev.loomgate.gateway.http.RequestView;

/**
 * Power of two random choices: draws two distinct usable hosts at random and takes the one with
 * the lower load relative to its weight. No shared mutable state besides the hosts' own
 * in-flight counters, so concurrent picks need no coordination.
 *
 * <p>Load is {@code (inFlight + 1) / weight}, compared by cross-multiplication. The {@code + 1}
 * (the request about to be sent) makes weights count on an idle upstream too: with plain
 * {@code inFlight / weight} every idle host scores 0 and a weight-3 host would get no more
 * traffic than a weight-1 host at low concurrency.
 */
final class LeastRequestBalancer implements LoadBalancer {
    private final UpstreamHost[] hosts;

    LeastRequestBalancer(List<UpstreamHost> hosts) {
        this.hosts = hosts.toArray(UpstreamHost[]::new);
    }

    @Override
    public Optional<UpstreamHost> choose(RequestView request, Set<UpstreamHost> exclude) {
        int n = hosts.length;
        int[] usable = new int[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (hosts[i].available() && !exclude.contains(hosts[i])) {
                usable[count++] = i;
            }
        }
        if (count == 0) {
            return Optional.empty();
        }
        if (count == 1) {
            return Optional.of(hosts[usable[0]]);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int first = random.nextInt(count);
        int second = random.nextInt(count - 1);
        if (second >= first) {
            second++; // distinct from first
        }
        UpstreamHost a = hosts[usable[first]];
        UpstreamHost b = hosts[usable[second]];
        // a.load < b.load  <=>  (a.inFlight+1) * b.weight < (b.inFlight+1) * a.weight
        long aScore = (Math.max(0, a.inFlight()) + 1L) * b.weight();
        long bScore = (Math.max(0, b.inFlight()) + 1L) * a.weight();
        return Optional.of(bScore < aScore ? b : a); // tie: a, itself a random draw
    }
}
