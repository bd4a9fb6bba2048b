package dev.loomgate.gateway.policy.async;

import dev.loomgate.gateway.pipeline.TerminalStep;

/**
 * What the {@code async:} key needs from the node: the terminal step of one async route (the node's job service,
 * {@code async.AsyncService}, which also starts the route's workers). An interface, so that the routes file can be
 * parsed and validated without the job machinery.
 */
public interface AsyncRoutes {
    /**
     * @throws IllegalArgumentException when a secret of the settings cannot be read (the routes version is rejected)
     */
    TerminalStep step(String routeId, AsyncSettings settings);
}
