package dev.loomgate.gateway.upstream;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Builds the balancer for a host set. (Interim: plain round robin for every kind.) */
public final class LoadBalancers {
    private LoadBalancers() {
    }

    public static LoadBalancer create(LoadBalancerKind kind, List<UpstreamHost> hosts, Optional<HashKeySpec> hashKey) {
        AtomicInteger next = new AtomicInteger();
        return (request, exclude) -> {
            for (int i = 0; i < hosts.size(); i++) {
                UpstreamHost h = hosts.get(Math.floorMod(next.getAndIncrement(), hosts.size()));
                if (h.available() && !exclude.contains(h)) {
                    return Optional.of(h);
                }
            }
            return Optional.empty();
        };
    }
}
