package dev.loomgate.consul.standin;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each fixture of the Consul API contract (contracts/consul-api) replayed against the stand-in: status, content type, headers, JSON shape. */
class ContractTest {
    private ConsulStandin standin;
    private Http http;

    @BeforeEach
    void start() {
        standin = ConsulStandin.builder().host("127.0.0.1").port(0).build().start();
        http = new Http(standin);
    }

    @AfterEach
    void stop() {
        standin.stop();
    }

    private String createSession() {
        Http.Response r = http.put("/v1/session/create", Fixtures.text("session-create-go-lock.request.json"));
        assertEquals(200, r.status(), r.body());
        return r.json().asJsonObject().getString("ID");
    }

    private void ok(Http.Response r) {
        assertEquals(200, r.status(), () -> r.body());
    }

    @Test
    void kvGetOfALockedKeyHasTheFixtureShape() {
        String session = createSession();
        assertEquals("true", http.put("/v1/kv/zip?acquire=" + session, "test").body());
        Http.Response r = http.get("/v1/kv/zip");
        ok(r);
        assertTrue(r.header("Content-Type").orElse("").startsWith("application/json"));
        JsonShape.assertSameShape(Fixtures.json("kv-get.response.json"), r.json());
        JsonObject entry = r.json().asJsonArray().getJsonObject(0);
        assertEquals("zip", entry.getString("Key"));
        assertEquals("dGVzdA==", entry.getString("Value"));
        assertEquals(session, entry.getString("Session"));
        assertEquals(entry.getJsonNumber("ModifyIndex").longValue(), r.index());
    }

    @Test
    void kvRecurseMatchesTheFixtureEntryByEntry() {
        String session = createSession();
        ok(http.put("/v1/kv/web/bar", "test"));
        ok(http.put("/v1/kv/web/foo?acquire=" + session, "test"));
        ok(http.put("/v1/kv/web/subdir/baz?flags=42", ""));
        Http.Response r = http.get("/v1/kv/web/?recurse");
        ok(r);
        JsonArray fixture = Fixtures.json("kv-get-recurse.response.json").asJsonArray();
        JsonArray actual = r.json().asJsonArray();
        assertEquals(fixture.size(), actual.size(), actual.toString());
        JsonShape.assertSameShape(fixture, actual);
        for (int i = 0; i < fixture.size(); i++) {
            JsonObject f = fixture.getJsonObject(i);
            JsonObject a = actual.getJsonObject(i);
            // Session is present exactly while locked, Value is null for an empty body (SPEC KV-4, D-6)
            assertEquals(f.keySet(), a.keySet(), "fields of " + a);
            for (String deterministic : List.of("Key", "Flags", "Value", "LockIndex")) {
                if (!deterministic.equals("LockIndex") || f.getInt("LockIndex") <= 1) {
                    assertEquals(f.get(deterministic), a.get(deterministic), deterministic + " of " + a);
                }
            }
        }
    }

    @Test
    void kvKeysWithSeparator() {
        ok(http.put("/v1/kv/web/bar", "test"));
        ok(http.put("/v1/kv/web/foo", "test"));
        ok(http.put("/v1/kv/web/subdir/baz", "x"));
        ok(http.put("/v1/kv/web/subdir/qux", "x"));
        Http.Response r = http.get("/v1/kv/web/?keys&separator=/");
        ok(r);
        List<String> expected = new ArrayList<>();
        // the docs sample shows keys with a leading '/', which current servers reject (SPEC D-7)
        for (JsonValue v : Fixtures.json("kv-get-keys-separator.response.json").asJsonArray()) {
            expected.add(((JsonString) v).getString().substring(1));
        }
        assertEquals(Json.createArrayBuilder(expected).build(), r.json());
    }

    @Test
    void kvMissingAndRaw() {
        ExchangeRunner.run(http, "kv-get-missing.exchange.json");
        ok(http.put("/v1/kv/zip", "test"));
        Http.Response raw = ExchangeRunner.run(http, "kv-get-raw.exchange.json");
        assertEquals("4", raw.header("Content-Length").orElseThrow());
    }

    @Test
    void kvPutCasAndDeleteBodies() {
        Http.Response put = http.put("/v1/kv/zip", "test");
        ok(put);
        assertEquals(Fixtures.json("kv-put.response.json"), put.json());
        assertTrue(put.header("Content-Type").orElse("").startsWith("application/json"));
        assertTrue(put.header("X-Consul-Index").isEmpty(), "writes carry no index (KV-9)");
        Http.Response mismatch = http.put("/v1/kv/zip?cas=1", "other");
        ok(mismatch);
        assertEquals(Fixtures.json("kv-put-cas-mismatch.response.json"), mismatch.json());
        Http.Response delete = http.delete("/v1/kv/zip");
        ok(delete);
        assertEquals(Fixtures.json("kv-delete.response.json"), delete.json());
        ExchangeRunner.run(http, "kv-put-conflicting-flags.exchange.json");
    }

    @Test
    void invalidBlockingParameters() {
        ExchangeRunner.run(http, "blocking-invalid-index.exchange.json");
        ExchangeRunner.run(http, "blocking-invalid-wait.exchange.json");
    }

    @Test
    void blockingTimeoutWithoutChange() {
        JsonObject fixture = Fixtures.object("blocking-timeout-no-change.exchange.json");
        String session = createSession();
        ok(http.put("/v1/kv/zip?acquire=" + session, "test"));
        long index = http.get("/v1/kv/zip").index();
        String wait = fixture.getJsonObject("request").getJsonObject("query").getString("wait");
        long started = System.nanoTime();
        Http.Response r = http.get("/v1/kv/zip?index=" + index + "&wait=" + wait);
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        JsonObject expected = fixture.getJsonObject("response");
        assertEquals(expected.getInt("status"), r.status());
        assertEquals(index, r.index(), "a timeout returns the unchanged index");
        assertTrue(elapsedMillis >= expected.getInt("minElapsedMillis"), "returned after " + elapsedMillis + " ms");
        // the fixture allows wait + wait/16; a loaded 2-core box gets generous slack on top
        assertTrue(elapsedMillis < expected.getInt("maxElapsedMillis") + 3000, "returned after " + elapsedMillis);
        JsonShape.assertSameShape(Fixtures.json(expected.getString("bodyFixture")), r.json());
    }

    @Test
    void agentCheckEndpoints() {
        ok(http.put("/v1/agent/service/register",
                Fixtures.text("agent-service-register-ttl-check.request.json")));
        ExchangeRunner.run(http, "agent-check-pass.exchange.json");
        JsonObject check = serviceCheck("redis", "web-app");
        assertEquals("passing", check.getString("Status"));
        assertEquals("all good", check.getString("Output"));
        ExchangeRunner.run(http, "agent-check-pass-unknown.exchange.json");
        ExchangeRunner.run(http, "agent-check-pass-wrong-method.exchange.json");
        ExchangeRunner.run(http, "agent-service-deregister-unknown.exchange.json");

        JsonObject update = Fixtures.object("agent-check-update.request.json");
        Http.Response r = http.put("/v1/agent/check/update/web-app", update.toString());
        ok(r);
        assertEquals("", r.body());
        assertEquals(update.getString("Output"), serviceCheck("redis", "web-app").getString("Output"));
    }

    private JsonObject serviceCheck(String service, String checkId) {
        for (JsonValue entry : http.get("/v1/health/service/" + service).json().asJsonArray()) {
            for (JsonValue c : entry.asJsonObject().getJsonArray("Checks")) {
                if (c.asJsonObject().getString("CheckID").equals(checkId)) {
                    return c.asJsonObject();
                }
            }
        }
        throw new AssertionError("check " + checkId + " not found");
    }

    @Test
    void agentSelfShape() {
        Http.Response r = http.get("/v1/agent/self");
        ok(r);
        assertTrue(r.header("X-Consul-Index").isEmpty());
        JsonShape.assertSameShape(Fixtures.json("agent-self.response.json"), r.json());
        assertEquals("dc1", r.json().asJsonObject().getJsonObject("Config").getString("Datacenter"));
    }

    @Test
    void serviceRegistrationFixtures() {
        for (String name : List.of("agent-service-register-go-client.request.json",
                "agent-service-register-http-check.request.json",
                "agent-service-register-multiple-checks.request.json",
                "agent-service-register-ttl-check.request.json")) {
            Http.Response r = http.put("/v1/agent/service/register", Fixtures.text(name));
            assertEquals(200, r.status(), name + ": " + r.body());
            assertEquals("", r.body(), name);
            assertTrue(r.header("Content-Type").isEmpty(), name);
            assertTrue(http.get("/v1/agent/services").json().asJsonObject().containsKey("redis1"), name);
        }
        // script checks are disabled for HTTP-registered checks by default, so Consul refuses this one
        Http.Response script = http.put("/v1/agent/service/register",
                Fixtures.text("agent-service-register.request.json"));
        assertEquals(500, script.status());
        assertTrue(script.body().startsWith("Scripts are disabled on this agent"), script.body());
    }

    private void registerRedisLikeTheDocs(String checkStatus) {
        JsonObject fixtureService = Fixtures.json("health-service.response.json").asJsonArray().getJsonObject(0)
                .getJsonObject("Service");
        JsonObject registration = Json.createObjectBuilder()
                .add("ID", fixtureService.getString("ID")).add("Name", fixtureService.getString("Service"))
                .add("Tags", fixtureService.getJsonArray("Tags")).add("Address", "127.0.0.1")
                .add("Port", fixtureService.getInt("Port")).add("Meta", fixtureService.getJsonObject("Meta"))
                .add("Weights", fixtureService.getJsonObject("Weights"))
                .add("TaggedAddresses", Json.createObjectBuilder()
                        .add("lan", Json.createObjectBuilder().add("Address", "127.0.0.1").add("Port", 8000))
                        .add("wan", Json.createObjectBuilder().add("Address", "198.18.1.2").add("Port", 80)))
                .add("Check", Json.createObjectBuilder().add("TTL", "30s").add("Status", checkStatus))
                .build();
        ok(http.put("/v1/agent/service/register", registration.toString()));
    }

    @Test
    void healthServiceShapes() {
        registerRedisLikeTheDocs("passing");
        for (String query : List.of("", "?passing")) {
            Http.Response r = http.get("/v1/health/service/redis" + query);
            ok(r);
            assertTrue(r.header("Content-Type").orElse("").startsWith("application/json"));
            for (String h : List.of("X-Consul-Index", "X-Consul-Knownleader", "X-Consul-Lastcontact",
                    "X-Consul-Effective-Consistency")) {
                assertTrue(r.header(h).isPresent(), h);
            }
            String fixture = query.isEmpty() ? "health-service.response.json" : "health-service-passing.response.json";
            JsonShape.assertSameShape(Fixtures.json(fixture), r.json());
            JsonObject entry = r.json().asJsonArray().getJsonObject(0);
            List<String> checkIds = entry.getJsonArray("Checks").stream()
                    .map(c -> c.asJsonObject().getString("CheckID")).toList();
            // the default check ID and name and the node's serfHealth check are there
            assertTrue(checkIds.containsAll(List.of("service:redis", "serfHealth")), checkIds.toString());
            JsonObject serviceCheck = serviceCheck("redis", "service:redis");
            assertEquals("Service 'redis' check", serviceCheck.getString("Name"));
        }
        Http.Response unknown = http.get("/v1/health/service/nope");
        ok(unknown);
        assertEquals(Fixtures.json("health-service-unknown.response.json"), unknown.json());
        assertTrue(unknown.index() >= 1);
    }

    @Test
    void catalogServicesMatchesTheFixtureExactly() {
        ok(http.put("/v1/agent/service/register", "{\"ID\":\"redis\",\"Name\":\"redis\"}"));
        ok(http.put("/v1/agent/service/register", "{\"ID\":\"pg1\",\"Name\":\"postgresql\",\"Tags\":[\"primary\"]}"));
        ok(http.put("/v1/agent/service/register",
                "{\"ID\":\"pg2\",\"Name\":\"postgresql\",\"Tags\":[\"secondary\"]}"));
        Http.Response r = http.get("/v1/catalog/services");
        ok(r);
        assertEquals(Fixtures.json("catalog-services.response.json"), r.json());
        assertTrue(r.index() >= 1);
    }

    @Test
    void catalogServiceShapes() {
        ok(http.put("/v1/agent/service/register", "{\"ID\":\"a1\",\"Name\":\"api-internal\",\"Port\":9090,"
                + "\"Tags\":[\"tag\"],\"Meta\":{\"environment\":\"qa\"}}"));
        ok(http.put("/v1/agent/service/register", "{\"ID\":\"a2\",\"Name\":\"api-internal\",\"Port\":9090,"
                + "\"Tags\":[\"test\",\"tag\"],\"Meta\":{\"environment\":\"production\"},\"Address\":\"127.0.0.2\"}"));
        Http.Response r = http.get("/v1/catalog/service/api-internal");
        ok(r);
        assertEquals(2, r.json().asJsonArray().size());
        JsonShape.assertSameShape(Fixtures.json("catalog-service-ce.response.json"), r.json());
        Http.Response withTaggedAddresses = http.get("/v1/catalog/service/api-internal?tag=test");
        assertEquals(1, withTaggedAddresses.json().asJsonArray().size());
        JsonShape.assertSameShape(Fixtures.json("catalog-service.response.json"), withTaggedAddresses.json());
        // the fixture filters on node meta; the stand-in's node has none of its values, so filter on service meta
        Http.Response filtered = http.get("/v1/catalog/service/api-internal?filter="
                + java.net.URLEncoder.encode("ServiceMeta.environment == \"production\"", StandardCharsets.UTF_8));
        ok(filtered);
        assertEquals(1, filtered.json().asJsonArray().size(), filtered.body());
        JsonShape.assertSameShape(Fixtures.json("catalog-service-filter-nodemeta.response.json"), filtered.json());
        assertEquals("a2", filtered.json().asJsonArray().getJsonObject(0).getString("ServiceID"));
        assertEquals(400, http.get("/v1/catalog/service/api-internal?filter=ServiceMeta.environment%20~%20x")
                .status());
        assertEquals(Fixtures.json("health-service-unknown.response.json"),
                http.get("/v1/catalog/service/nope").json());
    }

    @Test
    void sessionFixtures() {
        // the docs' request names node "foobar" and checks a, b, c, none of which exist here: Consul refuses it
        Http.Response refused = http.put("/v1/session/create", Fixtures.text("session-create.request.json"));
        assertEquals(500, refused.status());
        JsonObject request = Json.createObjectBuilder(Fixtures.object("session-create.request.json"))
                .remove("Node").remove("Checks").build();
        Http.Response created = http.put("/v1/session/create", request.toString());
        ok(created);
        JsonShape.assertSameShape(Fixtures.json("session-create.response.json"), created.json());
        String id = created.json().asJsonObject().getString("ID");

        Http.Response info = http.get("/v1/session/info/" + id);
        ok(info);
        JsonShape.assertSameShape(Fixtures.json("session-info.response.json"), info.json());
        JsonObject session = info.json().asJsonArray().getJsonObject(0);
        assertEquals(15_000_000_000L, session.getJsonNumber("LockDelay").longValue());
        assertEquals("30s", session.getString("TTL"));
        Http.Response renew = http.put("/v1/session/renew/" + id, null);
        ok(renew);
        JsonShape.assertSameShape(Fixtures.json("session-renew.response.json"), renew.json());
        Http.Response destroy = http.put("/v1/session/destroy/" + id, null);
        assertEquals(Fixtures.json("session-destroy.response.json"), destroy.json());
        assertEquals(Fixtures.json("session-destroy.response.json"), http.put("/v1/session/destroy/" + id, null).json());
        assertEquals(Fixtures.json("session-info-unknown.response.json"), http.get("/v1/session/info/" + id).json());
        ExchangeRunner.run(http, "session-renew-unknown.exchange.json");
    }

    @Test
    void statusLeader() {
        Http.Response r = http.get("/v1/status/leader");
        ok(r);
        JsonValue fixture = Fixtures.json("status-leader.response.json");
        assertEquals(fixture.getValueType(), r.json().getValueType());
        assertTrue(((JsonString) r.json()).getString().matches("\\d+\\.\\d+\\.\\d+\\.\\d+:8300"), r.body());
        assertTrue(r.header("X-Consul-Index").isEmpty());
        // status-leader-no-leader.response.json cannot happen: the stand-in is always its own leader
        assertFalse(((JsonString) r.json()).getString().isEmpty());
    }

    @Test
    void unknownPathsAndCanonicalHeaderSpelling() throws Exception {
        Http.Response unknown = http.get("/v1/not/an/endpoint");
        assertEquals(404, unknown.status());
        assertEquals("Invalid URL path: not a recognized HTTP API endpoint", unknown.body());
        Http.Response options = http.send("OPTIONS", "/v1/kv/x", null);
        assertEquals(200, options.status());
        assertEquals("GET,PUT,DELETE,OPTIONS", options.header("Allow").orElseThrow());
        assertEquals(500, http.get("/v1/kv/x?dc=dc2").status());

        // Go canonicalises header names (SPEC G-8); read the raw header lines to see the exact spelling
        try (Socket socket = new Socket("127.0.0.1", standin.port())) {
            OutputStream out = socket.getOutputStream();
            out.write("GET /v1/kv/missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            List<String> names = new ArrayList<>();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                if (line.contains(":")) {
                    names.add(line.substring(0, line.indexOf(':')));
                }
            }
            assertTrue(names.containsAll(List.of("X-Consul-Index", "X-Consul-Knownleader", "X-Consul-Lastcontact",
                    "X-Consul-Default-Acl-Policy")), names.toString());
        }
    }
}
