package dev.loomgate.gateway.saga;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.pipeline.ClientBody;
import dev.loomgate.gateway.pipeline.Exchange;
import dev.loomgate.gateway.pipeline.TerminalStep;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

/**
 * The terminal step of a {@code saga:} / {@code tcc:} route: captures what the definition reads from the request,
 * starts the saga and answers with the composed response, a problem naming the failed step and the outcome, or
 * (async, or when the wait runs out) 202 with {@code Location: <status-prefix><id>}.
 */
final class SagaTerminal implements TerminalStep {
    private static final int MAX_BODY = 1024 * 1024;

    private final SagaDefinition def;
    private final SagaService service;
    private final Set<String> headers;
    private final Set<String> query;

    SagaTerminal(SagaDefinition def, SagaService service) {
        this.def = def;
        this.service = service;
        this.headers = names(def, "headers");
        this.query = names(def, "query");
    }

    /** The request headers (or query parameters) the definition refers to: only those are kept in the log. */
    private static Set<String> names(SagaDefinition def, String part) {
        Set<String> out = new LinkedHashSet<>();
        Stream<Template> templates = Stream.concat(def.responseBody().stream(), def.steps().stream()
                .flatMap(s -> Stream.of(Optional.of(s.action()), s.compensation(), s.confirm()))
                .flatMap(Optional::stream).flatMap(c -> Stream.concat(Stream.of(c.path()), c.body().stream())));
        templates.flatMap(t -> t.refs().stream()).map(Expr::path)
                .filter(p -> p.size() >= 3 && p.get(0).equals("request") && p.get(1).equals(part))
                .forEach(p -> out.add(part.equals("headers") ? p.get(2).toLowerCase(Locale.ROOT) : p.get(2)));
        return out;
    }

    @Override
    public void handle(Exchange ex) {
        JsonValue body;
        try {
            body = body(ex.body());
        } catch (IOException | JsonException | IllegalArgumentException e) {
            ex.answer(new Problem(Problem.Type.BAD_REQUEST, "a composite route needs an empty or JSON request body: "
                    + e.getMessage()));
            return;
        }
        JsonObjectBuilder h = Json.createObjectBuilder();
        for (String name : headers) {
            ex.request().header(name).ifPresent(v -> h.add(name, v));
        }
        JsonObjectBuilder q = Json.createObjectBuilder();
        for (String name : query) {
            ex.request().queryParam(name).ifPresent(v -> q.add(name, v));
        }
        JsonObject request = Json.createObjectBuilder().add("body", body).add("headers", h).add("query", q)
                .add("path", ex.request().path()).build();
        SagaService.Started started;
        try {
            started = service.start(def, request);
        } catch (RuntimeException e) {
            ex.answer(new Problem(Problem.Type.NO_HEALTHY_ENDPOINT, "the saga log (Redis) is unavailable: " + e.getMessage()));
            return;
        }
        if (def.async() || def.syncWait().isZero()) {
            accepted(ex, started.id(), "running");
            return;
        }
        SagaRecord end;
        try {
            end = started.end().get(def.syncWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            accepted(ex, started.id(), "running");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            accepted(ex, started.id(), "running");
            return;
        } catch (ExecutionException e) {
            accepted(ex, started.id(), "unknown");
            return;
        }
        if (!end.state.isFinal() && end.state != SagaRecord.State.STUCK) {
            // this node stopped or lost the saga; another node finishes it
            accepted(ex, started.id(), end.state.label());
            return;
        }
        answer(ex, def, end);
    }

    /** The final answer for a saga that ended: composed response, or problem+json. */
    static void answer(Exchange ex, SagaDefinition def, SagaRecord end) {
        if (end.state == SagaRecord.State.COMPLETED) {
            JsonValue out = def.responseBody().map(t -> t.render(end.context())).orElseGet(() -> end.context().get("steps"));
            ex.response().status(def.responseStatus());
            ex.response().headers().set("Content-Type", "application/json");
            ex.response().headers().set("Saga-Id", end.id);
            ex.response().send(out.toString().getBytes(StandardCharsets.UTF_8));
            return;
        }
        problem(ex, end);
    }

    static void problem(Exchange ex, SagaRecord end) {
        String outcome = end.outcome();
        int status = outcome.equals("compensated") ? 409 : 502;
        JsonObjectBuilder b = Json.createObjectBuilder()
                .add("type", "https://loomgate.dev/problems/saga-" + outcome)
                .add("title", outcome.equals("compensated") ? "Composite request failed and was undone"
                        : "Composite request failed; undoing it is pending")
                .add("status", status).add("detail", end.reason).add("sagaId", end.id).add("outcome", outcome)
                .add("requestId", ex.requestId());
        end.failedStep.ifPresent(s -> b.add("failedStep", s));
        if (end.failedStatus > 0) {
            b.add("failedStatus", end.failedStatus);
        }
        ex.response().status(status);
        ex.response().headers().set("Content-Type", Problem.MEDIA_TYPE);
        ex.response().headers().set("Cache-Control", "no-store");
        ex.response().headers().set("Saga-Id", end.id);
        ex.response().send(b.build().toString().getBytes(StandardCharsets.UTF_8));
    }

    private void accepted(Exchange ex, String id, String state) {
        String location = def.statusPrefix() + id;
        ex.response().status(202);
        ex.response().headers().set("Content-Type", "application/json");
        ex.response().headers().set("Location", location);
        ex.response().headers().set("Saga-Id", id);
        ex.response().send(Json.createObjectBuilder().add("id", id).add("state", state).add("status", location).build()
                .toString().getBytes(StandardCharsets.UTF_8));
    }

    private static JsonValue body(ClientBody body) throws IOException {
        if (!body.present()) {
            return JsonValue.NULL;
        }
        byte[] bytes = body.stream().readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
            throw new IllegalArgumentException("body larger than " + MAX_BODY + " bytes");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            return JsonValue.NULL;
        }
        return Json.createReader(new StringReader(text)).readValue();
    }
}
