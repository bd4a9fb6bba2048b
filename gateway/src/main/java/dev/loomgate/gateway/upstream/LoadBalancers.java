package dev.loomgate.gateway.upstream;

import java.util.List;

/** Builds the balancer for a host set. */
public final class LoadBalancers {
    private LoadBalancers() {
    }

    /** The balancer of an upstream definition (its kind, and its hash key for consistent hashing). */
    public static LoadBalancer create(UpstreamDefinition definition, List<UpstreamHost> hosts) {
        List<UpstreamHost> fixed = List.copyOf(hosts);
        if (definition.loadBalancer() == LoadBalancerKind.PEAK_EWMA) {
            return new PeakEwmaBalancer(fixed, definition.peakEwma());
        }
        return create(definition.loadBalancer(), fixed, definition.hashKey().orElseGet(HashKeySpec::clientIp));
    }

    /** A balancer of this kind; consistent hashing hashes by client IP. */
    public static LoadBalancer create(LoadBalancerKind kind, List<UpstreamHost> hosts) {
        return create(kind, hosts, HashKeySpec.clientIp());
    }

    /**
     * @param hashKey where consistent hashing reads its key; ignored by the other kinds (peak-ewma
     *                gets its default settings here)
     */
    public static LoadBalancer create(LoadBalancerKind kind, List<UpstreamHost> hosts, HashKeySpec hashKey) {
        List<UpstreamHost> fixed = List.copyOf(hosts);
        return switch (kind) {
            case ROUND_ROBIN -> new RoundRobinBalancer(fixed);
            case LEAST_REQUEST -> new LeastRequestBalancer(fixed);
            case CONSISTENT_HASH -> new ConsistentHashBalancer(fixed, hashKey);
            case PEAK_EWMA -> new PeakEwmaBalancer(fixed, PeakEwmaSettings.DEFAULTS);
        };
    }
}
