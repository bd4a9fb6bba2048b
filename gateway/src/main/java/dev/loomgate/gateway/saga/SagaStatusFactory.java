package dev.loomgate.gateway.saga;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.pipeline.FilterContext;
import dev.loomgate.gateway.pipeline.ParseContext;
import dev.loomgate.gateway.pipeline.TerminalFactory;
import dev.loomgate.gateway.pipeline.TerminalStep;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;

/**
 * {@code saga-status: true} on a route (e.g. {@code path-prefix: /sagas/}): answers {@code GET <prefix><id>} with the
 * saga's state, outcome and, once completed, its composed response. A route, so the usual filters (auth) apply.
 */
public final class SagaStatusFactory implements TerminalFactory<Boolean> {
    @Override
    public String key() {
        return "saga-status";
    }

    @Override
    public Boolean parse(YamlValue node, ParseContext context) throws ConfigException {
        if (!node.bool()) {
            throw node.error("must be true (or off)");
        }
        return Boolean.TRUE;
    }

    @Override
    public TerminalStep create(Boolean config, FilterContext context) {
        SagaService service = context.requireService(SagaService.class, "the saga-status step (it needs redis:)");
        return ex -> {
            String path = ex.request().path();
            String id = path.substring(path.lastIndexOf('/') + 1);
            if (!ex.request().method().equals("GET") && !ex.request().method().equals("HEAD")) {
                ex.answer(new Problem(Problem.Type.METHOD_NOT_ALLOWED, "saga status is read with GET"));
                return;
            }
            Optional<SagaRecord> r;
            try {
                r = id.matches("[0-9a-f]{32}") ? service.record(id) : Optional.empty();
            } catch (RuntimeException e) {
                ex.answer(new Problem(Problem.Type.NO_HEALTHY_ENDPOINT, "the saga log (Redis) is unavailable"));
                return;
            }
            if (r.isEmpty()) {
                ex.answer(new Problem(Problem.Type.NOT_FOUND, "no saga '" + id + "'"));
                return;
            }
            JsonObjectBuilder b = Json.createObjectBuilder(r.get().summary());
            if (r.get().state == SagaRecord.State.COMPLETED) {
                service.definition(r.get()).flatMap(SagaDefinition::responseBody)
                        .ifPresent(t -> b.add("response", t.render(r.get().context())));
            }
            ex.response().status(200);
            ex.response().headers().set("Content-Type", "application/json");
            ex.response().headers().set("Cache-Control", "no-store");
            ex.response().send(b.build().toString().getBytes(StandardCharsets.UTF_8));
        };
    }
}
