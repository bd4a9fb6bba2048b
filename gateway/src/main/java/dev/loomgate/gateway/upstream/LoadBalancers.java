package dev.loomgate.gateway.upstream;

import java.util.List;
import java.util.Optional;

/** Builds the balancer for a host set. */
public final class LoadBalancers {
    private LoadBalancers() {
    }

    /**
     * @param hashKey where consistent hashing reads its key; ignored by the other kinds.
     *                Consistent hashing without one hashes by client IP.
     */
    public static LoadBalancer create(LoadBalancerKind kind, List<UpstreamHost> hosts, Optional<HashKeySpec> hashKey) {
        List<UpstreamHost> fixed = List.copyOf(hosts);
        return switch (kind) {
            case ROUND_ROBIN -> new RoundRobinBalancer(fixed);
            case LEAST_REQUEST -> new LeastRequestBalancer(fixed);
            case CONSISTENT_HASH -> new ConsistentHashBalancer(fixed, hashKey.orElseGet(HashKeySpec::clientIp));
        };
    }
}
