package dev.loomgate.gateway.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

/** {@code GET /state}: what a checker in another process (the chaos harness) reads of a participant. */
class DemoParticipantStateTest {

    @Test
    void stateShowsHoldingsAndRedeliveries() throws Exception {
        try (DemoParticipant p = DemoParticipant.start("orders");
             HttpClient http = HttpClient.newHttpClient()) {
            URI base = URI.create("http://" + p.address());
            assertEquals(201, post(http, base, "/try", "s1:order:action").statusCode());
            assertEquals(201, post(http, base, "/try", "s1:order:action").statusCode()); // redelivery: first answer
            assertEquals(201, post(http, base, "/try", "s2:order:action").statusCode());
            assertEquals(200, post(http, base, "/cancel", "s2:order:compensation").statusCode());
            assertEquals(200, post(http, base, "/cancel", "s3:order:compensation").statusCode()); // empty rollback
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/state")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            JsonObject s = Json.createReader(new java.io.StringReader(r.body())).readObject();
            assertEquals("orders", s.getString("name"));
            assertEquals(Json.createObjectBuilder().add("s1", "RESERVED").add("s2", "CANCELLED")
                    .add("s3", "EMPTY_CANCELLED").build(), s.getJsonObject("holdings"));
            assertEquals(1, s.getInt("redeliveries"));
            assertEquals(0, s.getInt("duplicateEffects"));
            assertEquals(1, s.getInt("emptyRollbacks"));
            assertEquals(5, s.getInt("requests"));
        }
    }

    @Test
    void jitterCanBeSetOverHttp() throws Exception {
        try (DemoParticipant p = DemoParticipant.start("stock");
             HttpClient http = HttpClient.newHttpClient()) {
            URI base = URI.create("http://" + p.address());
            assertEquals(400, post(http, base, "/control/jitter?ms=x", "").statusCode());
            assertEquals(200, post(http, base, "/control/jitter?ms=300", "").statusCode());
            long t0 = System.nanoTime();
            int slow = 0;
            for (int i = 0; i < 10; i++) {
                long c0 = System.nanoTime();
                assertEquals(201, post(http, base, "/try", "j" + i + ":stock:action").statusCode());
                slow += System.nanoTime() - c0 > 30_000_000L ? 1 : 0;
            }
            // uniform 0..300 ms: ten calls all under 30 ms has probability 1e-10
            org.junit.jupiter.api.Assertions.assertTrue(slow > 0, "no call was slowed");
            assertEquals(0, p.requests() - 10, "control calls are not counted as requests");
            org.junit.jupiter.api.Assertions.assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
        }
    }

    private static HttpResponse<String> post(HttpClient http, URI base, String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
        if (!key.isEmpty()) {
            b.header("Idempotency-Key", key);
        }
        return http.send(b
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    }
}
