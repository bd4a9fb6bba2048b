package dev.loomgate.gateway.upstream;

import java.util.List;
import java.util.Optional;

/** An upstream as configured: a value, validated by the config parser. */
public record UpstreamDefinition(String name,
                                 List<Endpoint> endpoints,
                                 LoadBalancerKind loadBalancer,
                                 Optional<HashKeySpec> hashKey) {
    public UpstreamDefinition {
        endpoints = List.copyOf(endpoints);
    }
}
