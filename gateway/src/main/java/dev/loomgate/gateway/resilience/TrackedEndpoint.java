package dev.loomgate.gateway.resilience;

/**
 * An endpoint whose health this package judges. The upstream package's hosts implement it, so
 * the policies here need not know hosts, balancers or upstreams (no package cycle).
 */
public interface TrackedEndpoint {
    EndpointHealth health();
}
