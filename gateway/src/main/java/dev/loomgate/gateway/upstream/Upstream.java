package dev.loomgate.gateway.upstream;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.loomgate.gateway.route.RequestView;

/** A named group of hosts with the balancer that picks among them. Immutable. */
public final class Upstream {
    private final UpstreamDefinition definition;
    private final List<UpstreamHost> hosts;
    private final LoadBalancer loadBalancer;

    public Upstream(UpstreamDefinition definition, List<UpstreamHost> hosts) {
        this.definition = definition;
        this.hosts = List.copyOf(hosts);
        this.loadBalancer = LoadBalancers.create(definition.loadBalancer(), this.hosts, definition.hashKey());
    }

    public String name() {
        return definition.name();
    }

    public UpstreamDefinition definition() {
        return definition;
    }

    public List<UpstreamHost> hosts() {
        return hosts;
    }

    public Optional<UpstreamHost> choose(RequestView request, Set<UpstreamHost> exclude) {
        return loadBalancer.choose(request, exclude);
    }
}
