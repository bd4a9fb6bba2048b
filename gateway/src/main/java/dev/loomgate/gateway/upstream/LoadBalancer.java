package dev.loomgate.gateway.upstream;

import java.util.Optional;
import java.util.Set;

import dev.loomgate.gateway.http.RequestView;

/**
 * Picks one host of a fixed host set for a request. One instance is built per host set
 * (see {@link LoadBalancers#create}); it must be safe for concurrent use without locks
 * held across blocking calls.
 */
public interface LoadBalancer {
    /**
     * @param request the request (consistent hash reads its key from it)
     * @param exclude hosts not to pick (already tried by this request); may be empty
     * @return a host that is {@link UpstreamHost#available()} and not excluded, or empty
     *         when there is none
     */
    Optional<UpstreamHost> choose(RequestView request, Set<UpstreamHost> exclude);
}
