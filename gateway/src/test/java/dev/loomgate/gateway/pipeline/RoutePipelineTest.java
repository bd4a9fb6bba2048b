package dev.loomgate.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.loomgate.gateway.config.RoutesDocument;
import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.route.RouteMatch;
import dev.loomgate.gateway.route.TestRequest;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/** The chain's rules: phase order, proceed-or-answer, hooks, defaults, terminal steps. */
class RoutePipelineTest {
    /** A filter that logs its name, then behaves as its config says: proceed, answer, nothing or proceed twice. */
    record Step(String key, Phase phase) implements FilterFactory<String> {
        @Override
        public String parse(YamlValue node, ParseContext context) throws ConfigException {
            String mode = node.string();
            if (!List.of("proceed", "answer", "nothing", "twice").contains(mode)) {
                throw node.error("unknown mode '" + mode + "'");
            }
            return mode + (context.inherited() ? " (default)" : "");
        }

        @Override
        public Filter create(String mode, FilterContext context) {
            return (exchange, chain) -> {
                RecordingExchange ex = (RecordingExchange) exchange;
                ex.events.add(key + ":" + mode);
                exchange.onResponseHead(head -> ex.events.add("hook " + key + " " + head.status()));
                switch (mode.replace(" (default)", "")) {
                    case "proceed" -> chain.proceed();
                    case "answer" -> exchange.answer(new Problem(Problem.Type.TOO_MANY_REQUESTS, key));
                    case "twice" -> {
                        chain.proceed();
                        chain.proceed();
                    }
                    default -> {
                    }
                }
            };
        }
    }

    /** A terminal step that answers with the status given in the config. */
    record StatusTerminal() implements TerminalFactory<Integer> {
        @Override
        public String key() {
            return "answer-with";
        }

        @Override
        public Integer parse(YamlValue node, ParseContext context) throws ConfigException {
            return node.intIn(100, 599);
        }

        @Override
        public TerminalStep create(Integer status, FilterContext context) {
            return exchange -> {
                ((RecordingExchange) exchange).events.add("terminal " + status);
                ((RecordingExchange) exchange).relay(status);
            };
        }
    }

    private static final FilterRegistry REGISTRY = FilterRegistry.builder()
            .filter(new Step("transform", Phase.REQUEST_TRANSFORMATION))
            .filter(new Step("limit", Phase.RATE_LIMIT))
            .filter(new Step("gate", Phase.ACCESS_CONTROL))
            .filter(new Step("limit2", Phase.RATE_LIMIT))
            .terminal(new StatusTerminal())
            .build();

    private static final TerminalStep PROXY = exchange -> {
        ((RecordingExchange) exchange).events.add("proxy");
        ((RecordingExchange) exchange).relay(200);
    };

    private static RecordingExchange run(String routeEntries) throws ConfigException {
        RoutesDocument doc = RoutesParser.parse("upstreams: [ { name: u, endpoints: [ \"127.0.0.1:1\" ] } ]\n"
                + routeEntries, "routes.yaml", REGISTRY);
        Pipelines pipelines = Pipelines.create(doc.routes(), doc.pipelines(), NodeServices.none());
        RouteMatch m = doc.routeTable().match(TestRequest.get("/x")).orElseThrow();
        RecordingExchange ex = new RecordingExchange(TestRequest.get("/x"), m);
        pipelines.of(m.route()).run(ex, PROXY);
        return ex;
    }

    @Test
    void filtersRunInPhaseOrderWhateverTheYamlOrder() throws ConfigException {
        RecordingExchange ex = run("""
                routes:
                  - { id: r, upstream: u, transform: proceed, limit2: proceed, limit: proceed, gate: proceed }
                """);
        assertEquals(List.of("gate:proceed", "limit:proceed", "limit2:proceed", "transform:proceed", "proxy",
                "hook gate 200", "hook limit 200", "hook limit2 200", "hook transform 200"), ex.events,
                "phase order, registration order within a phase; hooks in registration order");
        assertTrue(ex.committedFromUpstream);
    }

    @Test
    void aFilterThatAnswersStopsTheChain() throws ConfigException {
        RecordingExchange ex = run("""
                routes:
                  - { id: r, upstream: u, gate: proceed, limit: answer, transform: proceed }
                """);
        assertEquals(List.of("gate:proceed", "limit:answer", "hook gate 429", "hook limit 429"), ex.events);
        assertFalse(ex.committedFromUpstream);
    }

    @Test
    void aFilterThatNeitherProceedsNorAnswersIsAnError() {
        FilterContractException e = assertThrows(FilterContractException.class, () -> run("""
                routes:
                  - { id: r, upstream: u, gate: proceed, limit: nothing }
                """));
        assertEquals("filter 'limit' neither proceeded nor answered", e.getMessage());
    }

    @Test
    void proceedingTwiceIsAnError() {
        FilterContractException e = assertThrows(FilterContractException.class, () -> run("""
                routes:
                  - { id: r, upstream: u, limit: twice }
                """));
        assertEquals("filter 'limit' proceeded twice", e.getMessage());
    }

    @Test
    void aRouteWithoutPoliciesGoesStraightToTheTerminalStep() throws ConfigException {
        RoutesDocument doc = RoutesParser.parse("""
                upstreams: [ { name: u, endpoints: [ "127.0.0.1:1" ] } ]
                routes: [ { id: r, upstream: u } ]
                """, "routes.yaml", REGISTRY);
        Pipelines pipelines = Pipelines.create(doc.routes(), doc.pipelines(), NodeServices.none());
        assertSame(RoutePipeline.empty(), pipelines.of(doc.routes().getFirst()), "no pipeline object per route");
        assertEquals(List.of("proxy"), run("routes: [ { id: r, upstream: u } ]\n").events);
    }

    @Test
    void defaultsApplyUnlessTheRouteSetsTheKeyOrSwitchesItOff() throws ConfigException {
        String defaults = "default-filters: { gate: proceed, limit: proceed }\n";
        assertEquals(List.of("gate:proceed (default)", "limit:proceed (default)", "proxy"),
                events(run(defaults + "routes: [ { id: r, upstream: u } ]\n")));
        assertEquals(List.of("gate:proceed (default)", "limit:answer"),
                events(run(defaults + "routes: [ { id: r, upstream: u, limit: answer } ]\n")));
        assertEquals(List.of("limit:proceed (default)", "proxy"),
                events(run(defaults + "routes: [ { id: r, upstream: u, gate: off } ]\n")));
    }

    @Test
    void aTerminalKeyReplacesTheProxy() throws ConfigException {
        RecordingExchange ex = run("""
                routes:
                  - { id: r, upstream: u, gate: proceed, answer-with: 202 }
                """);
        assertEquals(List.of("gate:proceed", "terminal 202"), events(ex));
        assertEquals(202, ex.status);
    }

    @Test
    void configErrorsNameFileLineAndField() {
        ConfigException bad = assertThrows(ConfigException.class, () -> run("""
                routes:
                  - id: r
                    upstream: u
                    limit: sometimes
                """));
        assertEquals("routes[0].limit", bad.field());
        assertEquals(java.util.OptionalInt.of(5), bad.line());
        assertTrue(bad.reason().contains("unknown mode 'sometimes'"), bad.reason());

        ConfigException unknownKey = assertThrows(ConfigException.class, () -> run("""
                routes:
                  - { id: r, upstream: u, nope: 1 }
                """));
        assertTrue(unknownKey.reason().contains("allowed: id, upstream, match, transform, limit, gate, limit2,"
                + " answer-with, timeouts, retries"), unknownKey.reason());

        ConfigException badDefault = assertThrows(ConfigException.class, () -> run("""
                default-filters: { gate: maybe }
                routes: []
                """));
        assertEquals("default-filters.gate", badDefault.field(), "checked even when no route inherits it");

        ConfigException terminalDefault = assertThrows(ConfigException.class, () -> run("""
                default-filters: { answer-with: 200 }
                routes: []
                """));
        assertTrue(terminalDefault.reason().startsWith("unknown filter"), terminalDefault.reason());
    }

    @Test
    void attributesCarryValuesToLaterFilters() {
        Attribute<String> consumer = Attribute.create("consumer", String.class);
        RouteMatch m;
        try {
            m = RoutesParser.parse("""
                    upstreams: [ { name: u, endpoints: [ "127.0.0.1:1" ] } ]
                    routes: [ { id: r, upstream: u } ]
                    """, "routes.yaml").routeTable().match(TestRequest.get("/x")).orElseThrow();
        } catch (ConfigException e) {
            throw new AssertionError(e);
        }
        RecordingExchange ex = new RecordingExchange(TestRequest.get("/x"), m);
        assertEquals(Optional.empty(), ex.attribute(consumer));
        ex.attribute(consumer, "alice");
        assertEquals(Optional.of("alice"), ex.attribute(consumer));
        Attribute<String> sameName = Attribute.create("consumer", String.class);
        assertEquals(Optional.empty(), ex.attribute(sameName), "keys compare by identity, not by name");
    }

    @Test
    void aKeyIsRegisteredOnce() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FilterRegistry.builder()
                .filter(new Step("x", Phase.CORS)).filter(new Step("x", Phase.CACHE)));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    }

    private static List<String> events(RecordingExchange ex) {
        return ex.events.stream().filter(e -> !e.startsWith("hook ")).toList();
    }
}
