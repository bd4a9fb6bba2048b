package dev.loomgate.gateway.upstream;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.loomgate.gateway.resilience.UpstreamResilience;
import dev.loomgate.gateway.tls.ClientTls;

/**
 * An upstream as configured: a value, validated by the config parser.
 *
 * @param peakEwma settings of the {@code peak-ewma} balancer (defaults for other balancers)
 * @param consul when present, {@code endpoints} are the ones last discovered in Consul (empty in
 *               the parsed document) and the discovery layer replaces them as instances change
 * @param tls    when present, every endpoint is reached over TLS with these settings ({@code https://}
 *               endpoints or a {@code tls:} block)
 */
public record UpstreamDefinition(String name,
                                 List<Endpoint> endpoints,
                                 LoadBalancerKind loadBalancer,
                                 Optional<HashKeySpec> hashKey,
                                 PeakEwmaSettings peakEwma,
                                 UpstreamResilience resilience,
                                 Optional<ConsulService> consul,
                                 Optional<ClientTls> tls) {
    public UpstreamDefinition {
        Objects.requireNonNull(tls, "tls");
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(peakEwma, "peakEwma");
        Objects.requireNonNull(resilience, "resilience");
        Objects.requireNonNull(consul, "consul");
    }

    /** Plain HTTP. */
    public UpstreamDefinition(String name, List<Endpoint> endpoints, LoadBalancerKind loadBalancer,
                              Optional<HashKeySpec> hashKey, PeakEwmaSettings peakEwma, UpstreamResilience resilience,
                              Optional<ConsulService> consul) {
        this(name, endpoints, loadBalancer, hashKey, peakEwma, resilience, consul, Optional.empty());
    }

    /** Default peak-ewma settings. */
    public UpstreamDefinition(String name, List<Endpoint> endpoints, LoadBalancerKind loadBalancer,
                              Optional<HashKeySpec> hashKey, UpstreamResilience resilience,
                              Optional<ConsulService> consul) {
        this(name, endpoints, loadBalancer, hashKey, PeakEwmaSettings.DEFAULTS, resilience, consul);
    }

    /** Static endpoints (no Consul source). */
    public UpstreamDefinition(String name, List<Endpoint> endpoints, LoadBalancerKind loadBalancer,
                              Optional<HashKeySpec> hashKey, UpstreamResilience resilience) {
        this(name, endpoints, loadBalancer, hashKey, resilience, Optional.empty());
    }

    /** Without resilience settings (health checks, breaker, ... off). */
    public UpstreamDefinition(String name, List<Endpoint> endpoints, LoadBalancerKind loadBalancer,
                              Optional<HashKeySpec> hashKey) {
        this(name, endpoints, loadBalancer, hashKey, UpstreamResilience.DEFAULTS);
    }

    /** The same upstream with other endpoints (discovered ones). */
    public UpstreamDefinition withEndpoints(List<Endpoint> endpoints) {
        return new UpstreamDefinition(name, endpoints, loadBalancer, hashKey, peakEwma, resilience, consul, tls);
    }
}
