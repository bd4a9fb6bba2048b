package dev.loomgate.gateway.upstream;

import java.util.List;

/** Builds the balancer for a host set. */
public final class LoadBalancers {
    private LoadBalancers() {
    }

    /** The balancer of an upstream definition (its kind, and its hash key for consistent hashing). */
    public static LoadBalancer create(UpstreamDefinition definition, List<UpstreamHost> hosts) {
        return create(definition.loadBalancer(), hosts, definition.hashKey().orElseGet(HashKeySpec::clientIp));
    }

    /** A balancer of this kind; consistent hashing hashes by client IP. */
    public static LoadBalancer create(LoadBalancerKind kind, List<UpstreamHost> hosts) {
        return create(kind, hosts, HashKeySpec.clientIp());
    }

    /** @param hashKey where consistent hashing reads its key; ignored by the other kinds */
    public static LoadBalancer create(LoadBalancerKind kind, List<UpstreamHost> hosts, HashKeySpec hashKey) {
        List<UpstreamHost> fixed = List.copyOf(hosts);
        return switch (kind) {
            case ROUND_ROBIN -> new RoundRobinBalancer(fixed);
            case LEAST_REQUEST -> new LeastRequestBalancer(fixed);
            case CONSISTENT_HASH -> new ConsistentHashBalancer(fixed, hashKey);
        };
    }
}
