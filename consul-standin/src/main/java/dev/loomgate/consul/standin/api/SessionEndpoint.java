package dev.loomgate.consul.standin.api;

import dev.loomgate.consul.standin.store.ConsulError;
import dev.loomgate.consul.standin.store.GoDuration;
import dev.loomgate.consul.standin.store.Session;
import dev.loomgate.consul.standin.store.Sessions;
import dev.loomgate.consul.standin.store.Store;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Session create/renew/destroy/info (SPEC §7). */
final class SessionEndpoint {
    static final String RENEW = "/v1/session/renew/";
    static final String DESTROY = "/v1/session/destroy/";
    static final String INFO = "/v1/session/info/";
    private static final Duration DEFAULT_LOCK_DELAY = Duration.ofSeconds(15);

    private final Store store;

    SessionEndpoint(Store store) {
        this.store = store;
    }

    ApiResponse create(ApiRequest request) {
        JsonFields body = new JsonFields(JsonFields.parseObject(request.body()).orElse(JsonValue.EMPTY_JSON_OBJECT));
        String node = body.string("Node").isEmpty() ? store.catalog().node().nodeName() : body.string("Node");
        String behavior = body.string("Behavior").isEmpty() ? "release" : body.string("Behavior");
        List<String> nodeChecks;
        if (body.has("NodeChecks")) {
            nodeChecks = body.strings("NodeChecks");
        } else if (body.has("Checks")) {
            nodeChecks = body.strings("Checks");
        } else {
            nodeChecks = List.of("serfHealth");
        }
        List<String> serviceChecks = new ArrayList<>();
        for (JsonObject check : body.objects("ServiceChecks")) {
            serviceChecks.add(new JsonFields(check).string("ID"));
        }
        Session session = store.sessions().create(new Sessions.CreateRequest(body.string("Name"), node,
                lockDelay(body.value("LockDelay")), behavior, body.duration("TTL"), nodeChecks, serviceChecks));
        return ApiResponse.json(JsonBuilders.object().add("ID", session.id()).build(),
                KvEndpoint.pretty(request.query()));
    }

    /** A string duration, or a number that counts as seconds below 1000 and as nanoseconds above (S-1). */
    private static Duration lockDelay(Optional<JsonValue> value) {
        if (value.isEmpty()) {
            return DEFAULT_LOCK_DELAY;
        }
        return switch (value.get()) {
            case JsonString s -> GoDuration.parse(s.getString())
                    .orElseThrow(() -> JsonFields.decodeFailed("invalid LockDelay \"" + s.getString() + "\""));
            case JsonNumber n when n.longValue() < 1000 -> Duration.ofSeconds(n.longValue());
            case JsonNumber n -> Duration.ofNanos(n.longValue());
            default -> throw JsonFields.decodeFailed("LockDelay must be a duration");
        };
    }

    private static String id(ApiRequest request, String prefix) {
        String id = request.rest(prefix);
        if (id.isEmpty()) {
            throw ConsulError.badRequest("Missing session");
        }
        return id;
    }

    ApiResponse renew(ApiRequest request) {
        Session session = store.sessions().renew(id(request, RENEW));
        return ApiResponse.json(JsonBuilders.array().add(Render.session(session)).build(),
                KvEndpoint.pretty(request.query()));
    }

    ApiResponse destroy(ApiRequest request) {
        store.sessions().destroy(id(request, DESTROY));
        return ApiResponse.json(JsonValue.TRUE, KvEndpoint.pretty(request.query()));
    }

    ApiResponse info(ApiRequest request) {
        QueryParams q = request.query();
        QueryParams.Blocking blocking = q.blocking();
        String consistency = q.consistency();
        String id = id(request, INFO);
        Store.Indexed<Optional<Session>> result = store.blocking(blocking.index(), blocking.maxWait(),
                () -> store.sessions().info(id));
        JsonArrayBuilder array = JsonBuilders.array();
        result.value().ifPresent(s -> array.add(Render.session(s)));
        return Meta.catalog(ApiResponse.json(array.build(), KvEndpoint.pretty(q)), result.index(), consistency);
    }
}
