package dev.loomgate.consul.standin;

import dev.loomgate.testsupport.Await;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Agent registration and the checks' runtime: HTTP probes, TTLs, the critical-service reaper, health filters. */
class AgentChecksTest {
    private ConsulStandin standin;
    private Http http;
    private HttpServer upstream;
    private final AtomicInteger upstreamStatus = new AtomicInteger(200);
    private final AtomicInteger probes = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        standin = ConsulStandin.builder().port(0)
                .minimumDeregisterCriticalServiceAfter(Duration.ofSeconds(1))
                .reapInterval(Duration.ofMillis(200))
                .build().start();
        http = new Http(standin);
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/health", exchange -> {
            probes.incrementAndGet();
            byte[] body = ("status " + upstreamStatus.get()).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("X-Seen-User-Agent",
                    String.valueOf(exchange.getRequestHeaders().getFirst("User-Agent")));
            exchange.sendResponseHeaders(upstreamStatus.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
    }

    @AfterEach
    void stop() {
        standin.stop();
        upstream.stop(0);
    }

    private void register(String json) {
        Http.Response r = http.put("/v1/agent/service/register", json);
        assertEquals(200, r.status(), r.body());
    }

    private JsonArray health(String query) {
        Http.Response r = http.get("/v1/health/service/" + query);
        assertEquals(200, r.status(), r.body());
        return r.json().asJsonArray();
    }

    private JsonObject check(String service, String checkId) {
        for (JsonValue entry : health(service)) {
            for (JsonValue c : entry.asJsonObject().getJsonArray("Checks")) {
                if (c.asJsonObject().getString("CheckID").equals(checkId)) {
                    return c.asJsonObject();
                }
            }
        }
        return fail("check " + checkId + " not found");
    }

    @Test
    void httpCheckFollowsTheUpstreamStatus() throws Exception {
        String url = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/health";
        register("{\"ID\":\"web1\",\"Name\":\"web\",\"Port\":1234,\"Check\":{\"CheckID\":\"web1-http\","
                + "\"HTTP\":\"" + url + "\",\"Interval\":\"1s\",\"Timeout\":\"2s\"}}");
        assertEquals("critical", check("web", "web1-http").getString("Status"), "critical until the first probe");
        assertEquals("http", check("web", "web1-http").getString("Type"));
        // two intervals plus generous slack for a loaded machine
        Await.until("passing", Duration.ofSeconds(8),
                () -> check("web", "web1-http").getString("Status").equals("passing"));
        String output = check("web", "web1-http").getString("Output");
        assertEquals("HTTP GET " + url + ": 200 OK Output: status 200", output);
        assertEquals(1, health("web?passing").size());

        upstreamStatus.set(500);
        Await.until("critical", Duration.ofSeconds(8),
                () -> check("web", "web1-http").getString("Status").equals("critical"));
        assertEquals(0, health("web?passing").size());
        upstreamStatus.set(429);
        Await.until("warning on 429", Duration.ofSeconds(8),
                () -> check("web", "web1-http").getString("Status").equals("warning"));
        assertEquals(0, health("web?passing").size(), "warning instances are not passing (H-2)");
        upstreamStatus.set(204);
        Await.until("passing again", Duration.ofSeconds(8),
                () -> check("web", "web1-http").getString("Status").equals("passing"));

        http.put("/v1/agent/service/deregister/web1", null);
        int seen = probes.get();
        // an absence cannot be awaited: a window of 2.5 intervals in which a probe would (wrongly) come
        Thread.sleep(2500);
        assertTrue(probes.get() <= seen + 1, "probing stops with the service");
    }

    @Test
    void blockingHealthQueryWakesOnCheckChange() throws Exception {
        register("{\"ID\":\"t1\",\"Name\":\"ttl-svc\",\"Check\":{\"CheckID\":\"t1-ttl\",\"TTL\":\"60s\"}}");
        long index = http.get("/v1/health/service/ttl-svc").index();
        CompletableFuture<Http.Response> watch = CompletableFuture.supplyAsync(
                () -> http.get("/v1/health/service/ttl-svc?passing&index=" + index + "&wait=30s"));
        // lets the query park in the stand-in (nothing shows that it has); if it has not, it sees the change at
        // once and the assertions hold all the same
        Thread.sleep(200);
        assertEquals(200, http.put("/v1/agent/check/pass/t1-ttl", null).status());
        Http.Response r = watch.get(20, TimeUnit.SECONDS);
        assertTrue(r.index() > index);
        assertEquals(1, r.json().asJsonArray().size());
    }

    @Test
    void ttlCheckExpires() throws Exception {
        register("{\"ID\":\"t1\",\"Name\":\"ttl-svc\",\"Check\":{\"CheckID\":\"t1-ttl\",\"TTL\":\"1s\"}}");
        assertEquals("critical", check("ttl-svc", "t1-ttl").getString("Status"), "initial status (A-5)");
        assertEquals(200, http.put("/v1/agent/check/pass/t1-ttl?note=fine", null).status());
        assertEquals("passing", check("ttl-svc", "t1-ttl").getString("Status"));
        long index = http.get("/v1/health/service/ttl-svc").index();
        assertEquals(200, http.put("/v1/agent/check/pass/t1-ttl?note=still%20fine", null).status());
        assertEquals("still fine", check("ttl-svc", "t1-ttl").getString("Output"));
        assertEquals(index, http.get("/v1/health/service/ttl-svc").index(),
                "an output-only change is deferred by Consul and takes no index");
        assertEquals(200, http.put("/v1/agent/check/pass/t1-ttl?note=fine", null).status());
        Await.until("TTL expiry", Duration.ofSeconds(6),
                () -> check("ttl-svc", "t1-ttl").getString("Status").equals("critical"));
        assertEquals("TTL expired (last output before timeout follows): fine",
                check("ttl-svc", "t1-ttl").getString("Output"));
        assertEquals(200, http.put("/v1/agent/check/warn/t1-ttl", null).status());
        assertEquals("warning", check("ttl-svc", "t1-ttl").getString("Status"));
        assertEquals(400, http.put("/v1/agent/check/update/t1-ttl", "{\"Status\":\"bogus\"}").status());
    }

    @Test
    void aCriticalBoundCheckInvalidatesTheSessionAndReleasesItsLock() {
        register("{\"ID\":\"leader\",\"Name\":\"leader\",\"Check\":{\"CheckID\":\"alive\",\"TTL\":\"60s\","
                + "\"Status\":\"passing\"}}");
        Http.Response created = http.put("/v1/session/create",
                "{\"LockDelay\":\"0s\",\"ServiceChecks\":[{\"ID\":\"alive\"}]}");
        assertEquals(200, created.status(), created.body());
        String session = created.json().asJsonObject().getString("ID");
        assertEquals("true", http.put("/v1/kv/leader?acquire=" + session, "me").body());
        assertEquals(200, http.put("/v1/agent/check/fail/alive", null).status());
        JsonObject entry = http.get("/v1/kv/leader").json().asJsonArray().getJsonObject(0);
        assertTrue(!entry.containsKey("Session"), "released: " + entry);
        assertEquals("[]", http.get("/v1/session/info/" + session).body());
        assertEquals(500, http.put("/v1/session/create", "{\"ServiceChecks\":[{\"ID\":\"alive\"}]}").status(),
                "a critical check cannot back a new session");
    }

    @Test
    void nonTtlCheckRefusesTtlUpdates() {
        register("{\"ID\":\"w\",\"Name\":\"w\",\"Check\":{\"CheckID\":\"w-tcp\",\"TCP\":\"127.0.0.1:1\","
                + "\"Interval\":\"10s\"}}");
        Http.Response r = http.put("/v1/agent/check/pass/w-tcp", null);
        assertEquals(500, r.status());
        assertEquals("CheckID \"w-tcp\" does not have associated TTL", r.body());
    }

    @Test
    void deregisterCriticalServiceAfterRemovesTheService() throws Exception {
        register("{\"ID\":\"doomed\",\"Name\":\"doomed\",\"Check\":{\"CheckID\":\"d\",\"TTL\":\"30s\","
                + "\"DeregisterCriticalServiceAfter\":\"1s\"}}");
        register("{\"ID\":\"kept\",\"Name\":\"kept\",\"Check\":{\"CheckID\":\"k\",\"TTL\":\"30s\","
                + "\"Status\":\"passing\",\"DeregisterCriticalServiceAfter\":\"1s\"}}");
        assertEquals(1, health("doomed").size());
        Await.until("service reaped", Duration.ofSeconds(10), () -> health("doomed").isEmpty());
        assertTrue(!http.get("/v1/agent/services").json().asJsonObject().containsKey("doomed"));
        assertEquals(404, http.put("/v1/agent/check/pass/d", null).status(), "its checks went with it");
        assertEquals(1, health("kept").size(), "a passing service stays");
    }

    @Test
    void passingAndTagFilters() {
        register("{\"ID\":\"a\",\"Name\":\"svc\",\"Tags\":[\"Primary\",\"v1\"],\"Check\":{\"TTL\":\"60s\","
                + "\"Status\":\"passing\"}}");
        register("{\"ID\":\"b\",\"Name\":\"svc\",\"Tags\":[\"secondary\",\"v1\"],\"Check\":{\"TTL\":\"60s\"}}");
        assertEquals(2, health("svc").size(), "critical instances are listed without ?passing");
        assertEquals(List.of("a"), ids(health("svc?passing")));
        assertEquals(List.of("a"), ids(health("svc?passing=1")));
        assertEquals(2, health("svc?passing=false").size());
        assertEquals(400, http.get("/v1/health/service/svc?passing=maybe").status());
        assertEquals(List.of("a"), ids(health("svc?tag=primary")), "tags match case-insensitively");
        assertEquals(List.of("a", "b"), ids(health("svc?tag=v1")));
        assertEquals(List.of("b"), ids(health("svc?tag=v1&tag=secondary")), "all tags must match");
        assertEquals(List.of(), ids(health("svc?tag=v1&tag=secondary&passing")));
        assertEquals(List.of("b"), ids(health("svc?filter=" + java.net.URLEncoder.encode(
                "\"secondary\" in Service.Tags and Service.ID != \"a\"", StandardCharsets.UTF_8))));
        assertEquals(0, health("svc?node-meta=os:linux").size(), "the stand-in's node has no such meta");
        assertEquals(2, health("svc?node-meta=consul-network-segment:").size());
        // the passing filter runs after the query: the index is that of all instances (H-2)
        assertEquals(http.get("/v1/health/service/svc").index(), http.get("/v1/health/service/svc?passing").index());
    }

    private static List<String> ids(JsonArray entries) {
        return entries.stream().map(e -> e.asJsonObject().getJsonObject("Service").getString("ID")).sorted().toList();
    }

    @Test
    void registrationDefaultsValidationAndReRegistration() {
        register("{\"ID\":\"m\",\"Name\":\"multi\",\"Checks\":[{\"TTL\":\"60s\"},{\"TTL\":\"60s\"}]}");
        assertEquals("critical", check("multi", "service:m:1").getString("Status"));
        assertEquals("Service 'multi' check", check("multi", "service:m:2").getString("Name"));
        http.put("/v1/agent/check/pass/service:m:1", null);
        // re-registering keeps the status of unchanged checks and keeps left-out checks
        register("{\"ID\":\"m\",\"Name\":\"multi\",\"Tags\":[\"new\"],\"Check\":{\"CheckID\":\"service:m:1\","
                + "\"TTL\":\"60s\"}}");
        assertEquals("passing", check("multi", "service:m:1").getString("Status"));
        check("multi", "service:m:2");
        Http.Response replace = http.put("/v1/agent/service/register?replace-existing-checks",
                "{\"ID\":\"m\",\"Name\":\"multi\",\"Check\":{\"CheckID\":\"service:m:1\",\"TTL\":\"60s\"}}");
        assertEquals(200, replace.status());
        assertEquals(404, http.put("/v1/agent/check/pass/service:m:2", null).status());

        assertEquals(400, http.put("/v1/agent/service/register", "{\"Port\":1}").status());
        assertEquals("Missing service name", http.put("/v1/agent/service/register", "{\"Port\":1}").body());
        assertEquals(400, http.put("/v1/agent/service/register", "{\"Name\":\"x\",\"Address\":\"0.0.0.0\"}").status());
        assertEquals(400, http.put("/v1/agent/service/register", "{not json").status());
        assertTrue(http.put("/v1/agent/service/register", "{\"Name\":\"x\",\"Check\":{\"HTTP\":\"http://x\"}}")
                .body().startsWith("Invalid check: Interval must be > 0"));
        assertTrue(http.put("/v1/agent/service/register",
                "{\"Name\":\"x\",\"Check\":{\"TTL\":\"5s\",\"Interval\":\"5s\"}}").body()
                .startsWith("Invalid check: Interval and TTL cannot both be specified"));
        assertEquals(400, http.put("/v1/agent/service/register",
                "{\"Name\":\"x\",\"Meta\":{\"consul-x\":\"1\"}}").status());
        assertEquals(200, http.put("/v1/agent/service/register", "{\"Name\":\"x\",\"Check\":{}}").status(),
                "an empty check object is ignored");
        assertEquals(200, http.put("/v1/agent/service/register",
                "{\"name\":\"snake\",\"check\":{\"ttl\":\"10s\",\"deregister_critical_service_after\":\"5m\"}}")
                .status(), "case-insensitive and snake_case keys are accepted");

        assertEquals(200, http.put("/v1/agent/service/deregister/m", null).status());
        assertEquals(404, http.put("/v1/agent/service/deregister/m", null).status());
        assertEquals(0, health("multi").size());
    }

    @Test
    void emptyServiceAddressStaysEmptyAndNodeAddressIsLoopback() {
        register("{\"ID\":\"noaddr\",\"Name\":\"noaddr\",\"Port\":7000}");
        JsonObject entry = health("noaddr").getJsonObject(0);
        assertEquals("", entry.getJsonObject("Service").getString("Address"));
        assertEquals("127.0.0.1", entry.getJsonObject("Node").getString("Address"));
    }
}
