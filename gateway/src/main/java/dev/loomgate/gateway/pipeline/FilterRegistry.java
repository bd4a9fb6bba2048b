package dev.loomgate.gateway.pipeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import dev.loomgate.gateway.route.Route;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * The policies a node knows, by route config key: filter factories (each in a {@link Phase}) and terminal
 * factories. Immutable; the order of registration is the run order within a phase.
 */
public final class FilterRegistry {
    /** The value that switches a default policy off for one route: {@code rate-limit: off}. */
    public static final String OFF = "off";

    private final Map<String, FilterFactory<?>> filters;
    private final Map<String, TerminalFactory<?>> terminals;
    private final Map<String, Integer> registrationOrder;
    private final List<String> orderedKeys;

    private FilterRegistry(Builder b) {
        this.filters = Map.copyOf(b.filters);
        this.terminals = Map.copyOf(b.terminals);
        Map<String, Integer> order = new LinkedHashMap<>();
        for (String key : b.keys) {
            order.put(key, order.size());
        }
        this.registrationOrder = Map.copyOf(order);
        this.orderedKeys = List.copyOf(b.keys);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every policy key (filters and terminals) in registration order. */
    public List<String> keys() {
        return orderedKeys;
    }

    public boolean has(String key) {
        return registrationOrder.containsKey(key);
    }

    public Optional<FilterFactory<?>> filter(String key) {
        return Optional.ofNullable(filters.get(key));
    }

    /**
     * Parses one route's policies.
     *
     * @param route     the route (its core fields already parsed)
     * @param ownValue  the route's own value for a key, when it has one
     * @param defaults  the routes file's default policies by key ({@code default-filters:}), used for keys the
     *                  route does not set; a route's {@code <key>: off} switches a default off
     */
    public PipelineSpec parse(Route route, Function<String, Optional<YamlValue>> ownValue,
                              Map<String, YamlValue> defaults) throws ConfigException {
        return parse(route, ownValue, defaults, Set.of());
    }

    /** Like {@link #parse(Route, Function, Map)}, telling factories the document's upstream names. */
    public PipelineSpec parse(Route route, Function<String, Optional<YamlValue>> ownValue,
                              Map<String, YamlValue> defaults, Set<String> upstreams) throws ConfigException {
        List<ConfiguredFilter<?>> parsed = new ArrayList<>();
        ConfiguredTerminal<?> terminal = null;
        YamlValue terminalNode = null;
        for (String key : orderedKeys) {
            Optional<YamlValue> own = ownValue.apply(key);
            Optional<YamlValue> node = own.isPresent() ? own : Optional.ofNullable(defaults.get(key));
            if (node.isEmpty() || isOff(node.get())) {
                continue;
            }
            ParseContext context = new ParseContext(route, own.isEmpty(), upstreams);
            FilterFactory<?> f = filters.get(key);
            if (f != null) {
                parsed.add(parseFilter(f, node.get(), context));
                continue;
            }
            if (terminal != null) {
                throw node.get().error("a route has at most one terminal step; '" + terminal.key()
                        + "' (line " + terminalNode.line() + ") is already one");
            }
            terminal = parseTerminal(terminals.get(key), node.get(), context);
            terminalNode = node.get();
        }
        parsed.sort(Comparator.comparing((ConfiguredFilter<?> c) -> c.factory().phase())
                .thenComparing(c -> registrationOrder.get(c.key())));
        return new PipelineSpec(parsed, Optional.ofNullable(terminal));
    }

    /** {@code off} (also {@code false}, {@code no}): the route opts out of the file's default for this key. */
    private static boolean isOff(YamlValue v) throws ConfigException {
        if (!v.isScalar()) {
            return false;
        }
        String text = v.string().strip();
        return text.equalsIgnoreCase(OFF) || text.equalsIgnoreCase("false") || text.equalsIgnoreCase("no");
    }

    private static <C> ConfiguredFilter<C> parseFilter(FilterFactory<C> f, YamlValue node, ParseContext context)
            throws ConfigException {
        return new ConfiguredFilter<>(f, f.parse(node, context));
    }

    private static <C> ConfiguredTerminal<C> parseTerminal(TerminalFactory<C> f, YamlValue node,
                                                          ParseContext context) throws ConfigException {
        return new ConfiguredTerminal<>(f, f.parse(node, context));
    }

    /**
     * Checks the routes file's defaults once, on their own, so that an invalid default fails the file even when
     * no route inherits it (each inheriting route parses it again, against its own match).
     *
     * @throws ConfigException at the offending value, or at a key that is no filter or cannot be a default
     */
    public void checkDefaults(Map<String, YamlValue> defaults) throws ConfigException {
        Route anyRoute = Route.builder("(default-filters)", "(default-filters)").build();
        for (Map.Entry<String, YamlValue> e : defaults.entrySet()) {
            FilterFactory<?> f = filters.get(e.getKey());
            if (f == null || !f.allowedAsDefault()) {
                throw e.getValue().error(f == null
                        ? "unknown filter (known: " + String.join(", ", filters.keySet().stream().sorted().toList()) + ")"
                        : "'" + e.getKey() + "' cannot be a default: it is written against one route's match");
            }
            if (!isOff(e.getValue())) {
                f.parse(e.getValue(), new ParseContext(anyRoute, true));
            }
        }
    }

    /** Collects factories; a key may be registered once. */
    public static final class Builder {
        private final Map<String, FilterFactory<?>> filters = new LinkedHashMap<>();
        private final Map<String, TerminalFactory<?>> terminals = new LinkedHashMap<>();
        private final Set<String> keys = new LinkedHashSet<>();

        private Builder() {
        }

        public Builder filter(FilterFactory<?> factory) {
            claim(factory.key());
            filters.put(factory.key(), factory);
            return this;
        }

        public Builder terminal(TerminalFactory<?> factory) {
            claim(factory.key());
            terminals.put(factory.key(), factory);
            return this;
        }

        private void claim(String key) {
            if (!keys.add(key)) {
                throw new IllegalArgumentException("policy key '" + key + "' is registered twice");
            }
        }

        public FilterRegistry build() {
            return new FilterRegistry(this);
        }
    }
}
