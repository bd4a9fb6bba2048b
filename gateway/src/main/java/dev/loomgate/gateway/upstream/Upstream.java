package dev.loomgate.gateway.upstream;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.loomgate.gateway.http.RequestView;

/** A named group of hosts with the balancer that picks among them. Immutable. */
public final class Upstream {
    private final UpstreamDefinition definition;
    private final List<UpstreamHost> hosts;
    private final LoadBalancer loadBalancer;
    private final java.util.concurrent.atomic.AtomicInteger panicCursor = new java.util.concurrent.atomic.AtomicInteger();

    public Upstream(UpstreamDefinition definition, List<UpstreamHost> hosts) {
        this.definition = definition;
        this.hosts = List.copyOf(hosts);
        this.loadBalancer = LoadBalancers.create(definition, this.hosts);
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
        Optional<UpstreamHost> chosen = loadBalancer.choose(request, exclude);
        if (chosen.isEmpty() && definition.resilience().panicMode()) {
            return panicChoice(exclude);
        }
        return chosen;
    }

    /**
     * Panic mode (as Envoy's panic threshold at its limit): when health checks and ejection left
     * no endpoint, trusting them all beats answering 503 to everyone. Hosts an operator marked
     * unavailable stay out.
     */
    private Optional<UpstreamHost> panicChoice(Set<UpstreamHost> exclude) {
        int n = hosts.size();
        int start = Math.floorMod(panicCursor.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
            UpstreamHost h = hosts.get((start + i) % n);
            if (!h.markedUnavailable() && !exclude.contains(h)) {
                return Optional.of(h);
            }
        }
        return Optional.empty();
    }

    /** Whether no endpoint passes health checks and ejection (requests panic or get 503). */
    public boolean allUnhealthy() {
        for (UpstreamHost h : hosts) {
            if (h.available()) {
                return false;
            }
        }
        return true;
    }
}
