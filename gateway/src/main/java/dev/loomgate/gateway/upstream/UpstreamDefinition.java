package dev.loomgate.gateway.upstream;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.loomgate.gateway.resilience.UpstreamResilience;

/** An upstream as configured: a value, validated by the config parser. */
public record UpstreamDefinition(String name,
                                 List<Endpoint> endpoints,
                                 LoadBalancerKind loadBalancer,
                                 Optional<HashKeySpec> hashKey,
                                 UpstreamResilience resilience) {
    public UpstreamDefinition {
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(resilience, "resilience");
    }

    /** Without resilience settings (health checks, breaker, ... off). */
    public UpstreamDefinition(String name, List<Endpoint> endpoints, LoadBalancerKind loadBalancer,
                              Optional<HashKeySpec> hashKey) {
        this(name, endpoints, loadBalancer, hashKey, UpstreamResilience.DEFAULTS);
    }
}
