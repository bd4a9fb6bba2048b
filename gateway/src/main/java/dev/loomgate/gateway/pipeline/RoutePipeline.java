package dev.loomgate.gateway.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One route's created pipeline: its filters in run order and, when the route has one, its own terminal step.
 * Immutable and shared by all requests of the route; a route without filters runs its terminal step
 * directly, with no chain object at all.
 */
public final class RoutePipeline {
    private static final RoutePipeline EMPTY = new RoutePipeline(List.of(), List.of());

    private final Filter[] filters;
    private final String[] keys;
    private final Optional<TerminalStep> terminal;

    /** Filters in run order, then the default terminal step. */
    RoutePipeline(List<String> keys, List<Filter> filters) {
        this.keys = keys.toArray(String[]::new);
        this.filters = filters.toArray(Filter[]::new);
        this.terminal = Optional.empty();
    }

    /** Filters in run order, then the route's own terminal step. */
    RoutePipeline(List<String> keys, List<Filter> filters, TerminalStep terminal) {
        this.keys = keys.toArray(String[]::new);
        this.filters = filters.toArray(Filter[]::new);
        this.terminal = Optional.of(terminal);
    }

    public static RoutePipeline empty() {
        return EMPTY;
    }

    /** Config keys of the filters, in run order. */
    public List<String> keys() {
        return List.of(keys);
    }

    public boolean hasOwnTerminal() {
        return terminal.isPresent();
    }

    /**
     * Runs the filters, then the route's terminal step or {@code proxy}.
     *
     * @throws FilterContractException when a filter neither proceeded nor answered, or proceeded twice
     */
    public void run(Exchange exchange, TerminalStep proxy) {
        TerminalStep last = terminal.orElse(proxy);
        if (filters.length == 0) {
            last.handle(exchange);
            return;
        }
        new Link(exchange, last, 0).proceed();
    }

    /**
     * Runs the filters except those under {@code skip}, then {@code step} instead of the route's terminal step: for
     * requests the gateway answers on the route's behalf (a job's status URL is guarded by its route's filters).
     */
    public void runInstead(Exchange exchange, TerminalStep step, Set<String> skip) {
        List<String> k = new ArrayList<>();
        List<Filter> f = new ArrayList<>();
        for (int i = 0; i < filters.length; i++) {
            if (!skip.contains(keys[i])) {
                k.add(keys[i]);
                f.add(filters[i]);
            }
        }
        new RoutePipeline(k, f, step).run(exchange, step);
    }

    /** The chain as seen by filter {@code index - 1}: proceeding runs filter {@code index} (or the terminal). */
    private final class Link implements FilterChain {
        private final Exchange exchange;
        private final TerminalStep last;
        private final int index;
        private boolean proceeded;

        Link(Exchange exchange, TerminalStep last, int index) {
            this.exchange = exchange;
            this.last = last;
            this.index = index;
        }

        @Override
        public void proceed() {
            if (proceeded) {
                throw new FilterContractException("filter '" + keys[index - 1] + "' proceeded twice");
            }
            proceeded = true;
            if (index == filters.length) {
                last.handle(exchange);
                return;
            }
            Link next = new Link(exchange, last, index + 1);
            filters[index].filter(exchange, next);
            if (!next.proceeded && !exchange.answered()) {
                throw new FilterContractException("filter '" + keys[index] + "' neither proceeded nor answered");
            }
        }
    }
}
