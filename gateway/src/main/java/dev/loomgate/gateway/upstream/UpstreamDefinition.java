package dev.loomgate.gateway.upstream;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An upstream as configured: a value, validated by the config parser.
 *
 * @param consul when present, {@code endpoints} are the ones last discovered in Consul (empty in
 *               the parsed document) and the discovery layer replaces them as instances change
 */
public record UpstreamDefinition(String name,
                                 List<Endpoint> endpoints,
                                 LoadBalancerKind loadBalancer,
                                 Optional<HashKeySpec> hashKey,
                                 Optional<ConsulService> consul) {
    public UpstreamDefinition {
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(consul, "consul");
    }

    public UpstreamDefinition(String name, List<Endpoint> endpoints, LoadBalancerKind loadBalancer,
                              Optional<HashKeySpec> hashKey) {
        this(name, endpoints, loadBalancer, hashKey, Optional.empty());
    }

    /** The same upstream with other endpoints (discovered ones). */
    public UpstreamDefinition withEndpoints(List<Endpoint> endpoints) {
        return new UpstreamDefinition(name, endpoints, loadBalancer, hashKey, consul);
    }
}
