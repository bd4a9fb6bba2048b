package dev.loomgate.consul.standin.api;

import dev.loomgate.consul.standin.store.Catalog;
import dev.loomgate.consul.standin.store.CatalogService;
import dev.loomgate.consul.standin.store.CheckDefinition;
import dev.loomgate.consul.standin.store.ConsulError;
import dev.loomgate.consul.standin.store.ServiceDefinition;
import dev.loomgate.consul.standin.store.Store;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;

/** The agent endpoints (SPEC §6). */
final class AgentEndpoint {
    static final String DEREGISTER = "/v1/agent/service/deregister/";
    static final String CHECK_PASS = "/v1/agent/check/pass/";
    static final String CHECK_WARN = "/v1/agent/check/warn/";
    static final String CHECK_FAIL = "/v1/agent/check/fail/";
    static final String CHECK_UPDATE = "/v1/agent/check/update/";
    private static final Set<String> STATUSES = Set.of("passing", "warning", "critical");

    private final Store store;
    private final IntSupplier httpPort;

    AgentEndpoint(Store store, IntSupplier httpPort) {
        this.store = store;
        this.httpPort = httpPort;
    }

    ApiResponse self(ApiRequest request) {
        return ApiResponse.json(Render.agentSelf(store.catalog().node(), httpPort.getAsInt()),
                KvEndpoint.pretty(request.query()));
    }

    ApiResponse services(ApiRequest request) {
        JsonObjectBuilder body = JsonBuilders.object();
        for (CatalogService s : store.catalog().agentServices()) {
            body.add(s.definition().id(), Render.agentService(s, store.catalog().node()));
        }
        return ApiResponse.json(body.build(), KvEndpoint.pretty(request.query()));
    }

    ApiResponse deregister(ApiRequest request) {
        store.catalog().deregister(request.rest(DEREGISTER));
        return ApiResponse.empty(200);
    }

    ApiResponse ttlUpdate(ApiRequest request, String prefix, String status) {
        String output = request.query().first("note").orElse("");
        store.catalog().updateTtlCheck(request.rest(prefix), status, output);
        return ApiResponse.empty(200);
    }

    ApiResponse checkUpdate(ApiRequest request) {
        JsonFields body = new JsonFields(JsonFields.parseObject(request.body()).orElse(JsonValue.EMPTY_JSON_OBJECT));
        String status = body.string("Status");
        if (!STATUSES.contains(status)) {
            throw ConsulError.badRequest("Invalid check status: '" + status + "'");
        }
        store.catalog().updateTtlCheck(request.rest(CHECK_UPDATE), status, body.string("Output"));
        return ApiResponse.empty(200);
    }

    ApiResponse register(ApiRequest request) {
        JsonFields body = new JsonFields(JsonFields.parseObject(request.body())
                .orElseThrow(() -> JsonFields.decodeFailed("EOF")));
        String name = body.string("Name");
        if (name.isEmpty()) {
            throw ConsulError.badRequest("Missing service name");
        }
        String id = body.string("ID").isEmpty() ? name : body.string("ID");
        String address = body.string("Address");
        if (address.equals("0.0.0.0") || address.equals("::") || address.equals("[::]")) {
            throw ConsulError.badRequest("Invalid service address");
        }
        int passing = 1;
        int warning = 1;
        if (body.object("Weights").isPresent()) {
            JsonFields weights = new JsonFields(body.object("Weights").get());
            if (weights.number("Passing") != 0 || weights.number("Warning") != 0) {
                passing = (int) weights.number("Passing");
                warning = (int) weights.number("Warning");
                if (passing < 1) {
                    throw ConsulError.badRequest("Invalid Weights: Passing must be greater than 0");
                }
            }
        }
        Map<String, String> meta = body.stringMap("Meta");
        validateMeta(meta);
        Map<String, ServiceDefinition.TaggedAddress> tagged = new LinkedHashMap<>();
        body.object("TaggedAddresses").ifPresent(o -> o.forEach((k, v) -> {
            if (!(v instanceof JsonObject addr)) {
                throw JsonFields.decodeFailed("TaggedAddresses." + k + " must be an object");
            }
            JsonFields a = new JsonFields(addr);
            tagged.put(k, new ServiceDefinition.TaggedAddress(a.string("Address"), (int) a.number("Port")));
        }));
        ServiceDefinition service = new ServiceDefinition(id, name, body.strings("Tags"), address,
                (int) body.number("Port"), meta, tagged, passing, warning, body.bool("EnableTagOverride"),
                body.string("Kind"));

        List<JsonFields> checkBodies = new ArrayList<>();
        body.object("Check").map(JsonFields::new).filter(c -> !c.isEmpty()).ifPresent(checkBodies::add);
        body.objects("Checks").stream().map(JsonFields::new).filter(c -> !c.isEmpty()).forEach(checkBodies::add);
        List<Catalog.NewCheck> checks = new ArrayList<>();
        for (int i = 0; i < checkBodies.size(); i++) {
            String defaultId = "service:" + id + (checkBodies.size() > 1 ? ":" + (i + 1) : "");
            checks.add(check(checkBodies.get(i), service, defaultId));
        }
        String replace = request.query().first("replace-existing-checks").orElse("false");
        boolean replaceExisting = request.query().has("replace-existing-checks")
                && (replace.isEmpty() || replace.equalsIgnoreCase("true") || replace.equals("1"));
        store.catalog().register(service, checks, replaceExisting);
        return ApiResponse.empty(200);
    }

    private static void validateMeta(Map<String, String> meta) {
        if (meta.size() > 64) {
            throw ConsulError.badRequest("Invalid Service Meta: Node metadata cannot contain more than 64 key/value pairs");
        }
        for (Map.Entry<String, String> e : meta.entrySet()) {
            String key = e.getKey();
            if (key.isEmpty()) {
                throw ConsulError.badRequest("Invalid Service Meta: Key cannot be blank");
            }
            if (!key.matches("[a-zA-Z0-9_-]+")) {
                throw ConsulError.badRequest("Invalid Service Meta: Key contains invalid characters");
            }
            if (key.length() > 128) {
                throw ConsulError.badRequest("Invalid Service Meta: Key is too long (limit: 128 characters)");
            }
            if (key.startsWith("consul-")) {
                throw ConsulError.badRequest("Invalid Service Meta: Key prefix 'consul-' is reserved for internal use");
            }
            if (e.getValue().length() > 512) {
                throw ConsulError.badRequest("Invalid Service Meta: Value is too long (limit: 512 characters)");
            }
        }
    }

    /** Validates one check object as Consul's CheckType.Validate does and applies the defaults. */
    private static Catalog.NewCheck check(JsonFields c, ServiceDefinition service, String defaultId) {
        String status = c.string("Status");
        if (!status.isEmpty() && !STATUSES.contains(status)) {
            throw ConsulError.badRequest("Status for checks must 'passing', 'warning', 'critical'");
        }
        Duration interval = c.duration("Interval");
        Duration ttl = c.duration("TTL");
        boolean script = !c.strings("Args").isEmpty() || !c.strings("ScriptArgs").isEmpty();
        String http = c.string("HTTP");
        String tcp = c.string("TCP");
        String type;
        if (!http.isEmpty()) {
            type = "http";
        } else if (!tcp.isEmpty()) {
            type = "tcp";
        } else if (!c.string("UDP").isEmpty()) {
            type = "udp";
        } else if (!c.string("GRPC").isEmpty()) {
            type = "grpc";
        } else if (!c.string("H2PING").isEmpty()) {
            type = "h2ping";
        } else if (script) {
            type = "script";
        } else if (ttl.compareTo(Duration.ZERO) > 0) {
            type = "ttl";
        } else if (!c.string("AliasService").isEmpty() || !c.string("AliasNode").isEmpty()) {
            type = "alias";
        } else {
            type = "";
        }
        boolean intervalCheck = Set.of("http", "tcp", "udp", "grpc", "h2ping", "script").contains(type);
        if (interval.compareTo(Duration.ZERO) > 0 && ttl.compareTo(Duration.ZERO) > 0) {
            throw ConsulError.badRequest("Invalid check: Interval and TTL cannot both be specified");
        }
        if (intervalCheck && interval.compareTo(Duration.ZERO) <= 0) {
            throw ConsulError.badRequest("Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP or "
                    + "UDP checks");
        }
        if (type.isEmpty()) {
            throw ConsulError.badRequest("Invalid check: Must provide TTL or Script/DockerContainerID/HTTP/TCP/"
                    + "UDP/H2PING/GRPC/AliasNode/AliasService/OSService");
        }
        if (script) {
            // Consul's default: script checks are disabled for checks registered over HTTP
            throw ConsulError.internal("Scripts are disabled on this agent; to enable, configure "
                    + "'enable_script_checks' or 'enable_local_script_checks' to true");
        }
        Map<String, List<String>> header = new LinkedHashMap<>();
        c.object("Header").ifPresent(h -> {
            JsonFields headers = new JsonFields(h);
            h.keySet().forEach(k -> header.put(k, headers.strings(k)));
        });
        String checkId = c.string("CheckID").isEmpty() ? c.string("ID") : c.string("CheckID");
        String name = c.string("Name");
        int failuresBeforeCritical = (int) c.number("FailuresBeforeCritical");
        int failuresBeforeWarning = c.has("FailuresBeforeWarning") ? (int) c.number("FailuresBeforeWarning")
                : failuresBeforeCritical;
        CheckDefinition definition = new CheckDefinition(
                checkId.isEmpty() ? defaultId : checkId,
                name.isEmpty() ? "Service '" + service.name() + "' check" : name,
                c.string("Notes"), service.id(), type, http, c.string("Method"), header, c.string("Body"),
                c.bool("TLSSkipVerify"), c.string("TLSServerName"), c.bool("DisableRedirects"), tcp,
                ttl, interval, c.duration("Timeout"), c.duration("DeregisterCriticalServiceAfter"),
                (int) c.number("SuccessBeforePassing"), failuresBeforeWarning, failuresBeforeCritical);
        return new Catalog.NewCheck(definition, status.isEmpty() ? "critical" : status);
    }
}
