package dev.loomgate.consul.standin;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.StringJoiner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Replays a {@code *.exchange.json} fixture and checks what its response part names. */
final class ExchangeRunner {
    private ExchangeRunner() {
    }

    static Http.Response run(Http http, String fixtureName) {
        JsonObject fixture = Fixtures.object(fixtureName);
        JsonObject request = fixture.getJsonObject("request");
        String path = request.getString("path");
        if (request.containsKey("query")) {
            StringJoiner query = new StringJoiner("&");
            request.getJsonObject("query").forEach((k, v) -> {
                String value = ((JsonString) v).getString();
                // an empty value is a presence flag such as ?raw (SPEC KV-2)
                query.add(value.isEmpty() ? k : k + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
            });
            if (query.length() > 0) {
                path += "?" + query;
            }
        }
        byte[] body = request.containsKey("body")
                ? request.getString("body").getBytes(StandardCharsets.UTF_8) : null;
        Http.Response response = http.send(request.getString("method"), path, body);
        check(fixtureName, fixture.getJsonObject("response"), response);
        return response;
    }

    static void check(String name, JsonObject expected, Http.Response actual) {
        String context = name + " (got " + actual.status() + " " + actual.headers().map() + " " + actual.body() + ")";
        assertEquals(expected.getInt("status"), actual.status(), "status of " + context);
        if (expected.containsKey("contentTypePrefix")) {
            if (expected.isNull("contentTypePrefix")) {
                assertTrue(actual.header("Content-Type").isEmpty(), "no Content-Type expected: " + context);
            } else {
                String ct = actual.header("Content-Type").orElse("");
                assertTrue(ct.startsWith(expected.getString("contentTypePrefix")), "Content-Type of " + context);
            }
        }
        if (expected.containsKey("headersRequired")) {
            for (JsonValue h : expected.getJsonArray("headersRequired")) {
                String header = ((JsonString) h).getString();
                assertTrue(actual.header(header).isPresent(), "header " + header + " missing: " + context);
            }
        }
        if (expected.containsKey("headersExact")) {
            expected.getJsonObject("headersExact").forEach((k, v) ->
                    assertEquals(((JsonString) v).getString(), actual.header(k).orElse(null),
                            "header " + k + " of " + context));
        }
        if (expected.containsKey("headerRules") && expected.getJsonObject("headerRules").containsKey("X-Consul-Index")) {
            assertTrue(actual.index() >= 1, "X-Consul-Index must be >= 1: " + context);
        }
        if (expected.containsKey("body")) {
            assertEquals(expected.getString("body"), actual.body(), "body of " + context);
        }
        if (expected.containsKey("bodyPrefix")) {
            assertTrue(actual.body().startsWith(expected.getString("bodyPrefix")), "body prefix of " + context);
        }
        if (expected.containsKey("bodyBase64")) {
            assertArrayEquals(Base64.getDecoder().decode(expected.getString("bodyBase64")), actual.bytes(),
                    "raw body of " + context);
        }
        if (expected.containsKey("bodyFixture")) {
            JsonShape.assertSameShape(Fixtures.json(expected.getString("bodyFixture")), actual.json());
        }
        if (!expected.containsKey("status")) {
            fail("fixture " + name + " has no status");
        }
    }
}
