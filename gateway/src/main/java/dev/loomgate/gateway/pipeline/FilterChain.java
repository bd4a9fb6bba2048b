package dev.loomgate.gateway.pipeline;

/** The rest of a route's pipeline: the next filters, then the terminal step. */
@FunctionalInterface
public interface FilterChain {
    /** Runs the rest of the pipeline; returns when the response has been sent (or failed). */
    void proceed();
}
