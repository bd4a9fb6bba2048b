package dev.loomgate.gateway.pipeline;

import java.util.List;
import java.util.Optional;

/**
 * One route's pipeline as parsed from the routes file: its filters in run order (phase, then registration
 * order) and its terminal step when it is not the default proxy. Immutable; created into a
 * {@link RoutePipeline} when a routes version is applied.
 */
public record PipelineSpec(List<ConfiguredFilter<?>> filters, Optional<ConfiguredTerminal<?>> terminal) {
    private static final PipelineSpec EMPTY = new PipelineSpec(List.of(), Optional.empty());

    public PipelineSpec {
        filters = List.copyOf(filters);
    }

    public static PipelineSpec empty() {
        return EMPTY;
    }

    /** The parsed config of the filter under {@code key}, when the route has it. */
    public Optional<ConfiguredFilter<?>> filter(String key) {
        return filters.stream().filter(f -> f.key().equals(key)).findFirst();
    }

    /** The parsed config of the filter under {@code key}, when the route has it (for tools, tests, the admin API). */
    public <C> Optional<C> config(String key, Class<C> type) {
        return filter(key).map(ConfiguredFilter::config).map(type::cast);
    }

    /** Keys of the filters in run order, e.g. for the admin API. */
    public List<String> keys() {
        return filters.stream().map(ConfiguredFilter::key).toList();
    }
}
