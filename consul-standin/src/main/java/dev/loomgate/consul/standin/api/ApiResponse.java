package dev.loomgate.consul.standin.api;

import jakarta.json.JsonValue;
import jakarta.json.JsonWriter;
import jakarta.json.JsonWriterFactory;
import jakarta.json.Json;
import jakarta.json.stream.JsonGenerator;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A response to write: status, extra headers, body and optional content type. */
final class ApiResponse {
    static final String TEXT = "text/plain; charset=utf-8";
    private static final JsonWriterFactory PRETTY = Json.createWriterFactory(
            Map.of(JsonGenerator.PRETTY_PRINTING, true));

    private final int status;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final byte[] body;
    private final String contentType;

    private ApiResponse(int status, byte[] body, String contentType) {
        this.status = status;
        this.body = body;
        this.contentType = contentType;
    }

    static ApiResponse json(JsonValue value, boolean pretty) {
        String text;
        if (pretty) {
            StringWriter out = new StringWriter();
            try (JsonWriter writer = PRETTY.createWriter(out)) {
                writer.write(value);
            }
            text = out.toString().strip() + "\n";
        } else {
            text = value.toString();
        }
        return new ApiResponse(200, text.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    static ApiResponse text(int status, String message) {
        return new ApiResponse(status, message.getBytes(StandardCharsets.UTF_8), TEXT);
    }

    static ApiResponse bytes(byte[] body, String contentType) {
        return new ApiResponse(200, body, contentType);
    }

    /** A status with no body and no content type (agent writes, KV 404s). */
    static ApiResponse empty(int status) {
        return new ApiResponse(status, new byte[0], null);
    }

    ApiResponse header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    int status() {
        return status;
    }

    Map<String, String> headers() {
        return headers;
    }

    byte[] body() {
        return body;
    }

    Optional<String> contentType() {
        return Optional.ofNullable(contentType);
    }
}
