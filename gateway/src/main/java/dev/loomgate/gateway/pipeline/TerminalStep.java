package dev.loomgate.gateway.pipeline;

/**
 * What answers a request after every filter proceeded: proxying to the route's upstream by default; other
 * terminal steps (queueing a request for asynchronous processing, orchestrating a saga) are registered as
 * {@link TerminalFactory terminal factories} and chosen by a route's config key. A terminal step must answer.
 */
@FunctionalInterface
public interface TerminalStep {
    void handle(Exchange exchange);
}
