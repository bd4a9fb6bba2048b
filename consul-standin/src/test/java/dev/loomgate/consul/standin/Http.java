package dev.loomgate.consul.standin;

import jakarta.json.Json;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** A tiny HTTP client for the tests (JDK HttpClient; header lookups are case-insensitive). */
final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;

    Http(ConsulStandin standin) {
        this.base = standin.baseUri();
    }

    record Response(int status, java.net.http.HttpHeaders headers, byte[] bytes) {
        String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        JsonValue json() {
            try (JsonReader reader = Json.createReader(new StringReader(body()))) {
                return reader.readValue();
            }
        }

        Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        long index() {
            return Long.parseUnsignedLong(header("X-Consul-Index").orElseThrow(
                    () -> new AssertionError("no X-Consul-Index header, status " + status + ": " + body())));
        }
    }

    Response get(String pathAndQuery) {
        return send("GET", pathAndQuery, null);
    }

    Response put(String pathAndQuery, String body) {
        return send("PUT", pathAndQuery, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    Response delete(String pathAndQuery) {
        return send("DELETE", pathAndQuery, null);
    }

    Response send(String method, String pathAndQuery, byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            HttpResponse<byte[]> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new AssertionError(method + " " + pathAndQuery + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
