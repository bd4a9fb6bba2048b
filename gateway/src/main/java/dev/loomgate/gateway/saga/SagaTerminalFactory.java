package dev.loomgate.gateway.saga;

import dev.loomgate.gateway.pipeline.FilterContext;
import dev.loomgate.gateway.pipeline.ParseContext;
import dev.loomgate.gateway.pipeline.TerminalFactory;
import dev.loomgate.gateway.pipeline.TerminalStep;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/** {@code saga:} and {@code tcc:} on a route: the route becomes a composite route (docs/SAGAS.md). */
public final class SagaTerminalFactory implements TerminalFactory<SagaDefinition> {
    private final SagaDefinition.Mode mode;

    private SagaTerminalFactory(SagaDefinition.Mode mode) {
        this.mode = mode;
    }

    public static SagaTerminalFactory saga() {
        return new SagaTerminalFactory(SagaDefinition.Mode.SAGA);
    }

    public static SagaTerminalFactory tcc() {
        return new SagaTerminalFactory(SagaDefinition.Mode.TCC);
    }

    @Override
    public String key() {
        return mode == SagaDefinition.Mode.SAGA ? "saga" : "tcc";
    }

    @Override
    public SagaDefinition parse(YamlValue node, ParseContext context) throws ConfigException {
        return DefinitionParser.parse(node, mode, context.route().id(), context.route().upstream(), context.upstreams());
    }

    /** Registers the definition with the node's saga engine, so recovery finds it by route and version. */
    @Override
    public TerminalStep create(SagaDefinition config, FilterContext context) {
        SagaService service = context.requireService(SagaService.class, "the " + key() + " step (it needs redis: for its log)");
        service.register(config);
        return new SagaTerminal(config, service);
    }
}
