package dev.loomgate.gateway.saga;

import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

/**
 * One saga's write-ahead log entry, as stored in Redis (one JSON document): what the saga is, where it is and what
 * every step answered. Mutable, owned by the one runner that holds the saga's lease; every change is written
 * (fenced) before the next call goes out.
 */
final class SagaRecord {
    /** The saga's state; the last four are final ({@link #isFinal}) except STUCK, which waits for an operator. */
    enum State {
        RUNNING, COMPENSATING, CONFIRMING, COMPLETED, COMPENSATED, STUCK, ABORTED;

        boolean isFinal() {
            return this == COMPLETED || this == COMPENSATED || this == ABORTED;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Per step: pending, started (call may have taken effect), done, failed, compensating, compensated, confirmed. */
    enum StepStatus { PENDING, STARTED, DONE, FAILED, COMPENSATING, COMPENSATED, CONFIRMED }

    final String id;
    final String route;
    final String version;
    final SagaDefinition.Mode mode;
    State state;
    final long createdMs;
    long updatedMs;
    final JsonObject request;
    final Map<String, StepStatus> steps = new LinkedHashMap<>();
    final Map<String, JsonObject> outputs = new LinkedHashMap<>();
    /** Compensation (or confirm) attempts made so far per step, across nodes and operator retries. */
    final Map<String, Integer> undoAttempts = new LinkedHashMap<>();
    Optional<String> failedStep = Optional.empty();
    String reason = "";
    /** The status a failing participant answered (0: no answer); the client's problem status follows it. */
    int failedStatus;
    /** While STUCK: the state it was parked from, where an operator's retry resumes. */
    State parkedFrom = State.COMPENSATING;

    SagaRecord(String id, String route, String version, SagaDefinition.Mode mode, State state, long createdMs,
               JsonObject request) {
        this.id = id;
        this.route = route;
        this.version = version;
        this.mode = mode;
        this.state = state;
        this.createdMs = createdMs;
        this.updatedMs = createdMs;
        this.request = request;
    }

    static SagaRecord start(String id, SagaDefinition def, JsonObject request, long nowMs) {
        SagaRecord r = new SagaRecord(id, def.routeId(), def.version(), def.mode(), State.RUNNING, nowMs, request);
        for (SagaDefinition.Step s : def.steps()) {
            r.steps.put(s.name(), StepStatus.PENDING);
        }
        return r;
    }

    /** completed / compensated / compensation-pending / completion-pending / aborted / running: what clients see. */
    String outcome() {
        return switch (state) {
            case COMPLETED -> "completed";
            case COMPENSATED -> "compensated";
            case ABORTED -> "aborted";
            case RUNNING, CONFIRMING -> "running";
            // parked going forward (a retriable step or a TCC confirm): the effects stay, completing is pending
            case STUCK -> parkedFrom == State.COMPENSATING ? "compensation-pending" : "completion-pending";
            default -> "compensation-pending";
        };
    }

    /** The context expressions read: the client request, the saga id and every answered step. */
    JsonObject context() {
        JsonObjectBuilder steps = Json.createObjectBuilder();
        outputs.forEach(steps::add);
        return Json.createObjectBuilder().add("request", request).add("saga", Json.createObjectBuilder().add("id", id))
                .add("steps", steps).build();
    }

    String toJson() {
        JsonObjectBuilder st = Json.createObjectBuilder();
        steps.forEach((k, v) -> st.add(k, v.name()));
        JsonObjectBuilder out = Json.createObjectBuilder();
        outputs.forEach(out::add);
        JsonObjectBuilder undo = Json.createObjectBuilder();
        undoAttempts.forEach(undo::add);
        JsonObjectBuilder b = Json.createObjectBuilder().add("id", id).add("route", route).add("version", version)
                .add("mode", mode.name()).add("state", state.name()).add("created", createdMs).add("updated", updatedMs)
                .add("request", request).add("steps", st).add("outputs", out).add("undoAttempts", undo)
                .add("reason", reason).add("failedStatus", failedStatus).add("parkedFrom", parkedFrom.name());
        failedStep.ifPresent(s -> b.add("failedStep", s));
        return b.build().toString();
    }

    static SagaRecord fromJson(String json) {
        JsonObject o = Json.createReader(new StringReader(json)).readObject();
        SagaRecord r = new SagaRecord(o.getString("id"), o.getString("route"), o.getString("version"),
                SagaDefinition.Mode.valueOf(o.getString("mode")), State.valueOf(o.getString("state")),
                o.getJsonNumber("created").longValue(), o.getJsonObject("request"));
        r.updatedMs = o.getJsonNumber("updated").longValue();
        o.getJsonObject("steps").forEach((k, v) -> r.steps.put(k, StepStatus.valueOf(((jakarta.json.JsonString) v).getString())));
        o.getJsonObject("outputs").forEach((k, v) -> r.outputs.put(k, v.asJsonObject()));
        o.getJsonObject("undoAttempts").forEach((k, v) -> r.undoAttempts.put(k, ((jakarta.json.JsonNumber) v).intValue()));
        r.reason = o.getString("reason", "");
        r.failedStatus = o.getInt("failedStatus", 0);
        r.failedStep = Optional.ofNullable(o.getString("failedStep", null));
        r.parkedFrom = State.valueOf(o.getString("parkedFrom", State.COMPENSATING.name()));
        return r;
    }

    /** The view the admin API and the status URL show (no request body: it may hold personal data). */
    JsonObject summary() {
        JsonObjectBuilder st = Json.createObjectBuilder();
        steps.forEach((k, v) -> st.add(k, v.name().toLowerCase(Locale.ROOT)));
        JsonObjectBuilder b = Json.createObjectBuilder().add("id", id).add("route", route).add("mode", mode.name().toLowerCase(Locale.ROOT))
                .add("version", version).add("state", state.label()).add("outcome", outcome()).add("steps", st)
                .add("created", createdMs).add("updated", updatedMs);
        failedStep.ifPresent(s -> b.add("failedStep", s));
        if (!reason.isEmpty()) {
            b.add("reason", reason);
        }
        return b.build();
    }

    List<String> stepNames() {
        return List.copyOf(steps.keySet());
    }

    static JsonObject output(int status, JsonValue body) {
        return Json.createObjectBuilder().add("status", status).add("body", body).build();
    }
}
