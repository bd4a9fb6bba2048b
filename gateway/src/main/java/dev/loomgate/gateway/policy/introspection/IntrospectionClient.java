package dev.loomgate.gateway.policy.introspection;

import java.io.IOException;
import java.io.StringReader;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/** One RFC 7662 call: POST the token with the gateway's client credentials (HTTP Basic), bounded in time. */
final class IntrospectionClient {
    /** An answer larger than this is not an introspection response. */
    static final int MAX_RESPONSE = 64 * 1024;

    /** The IdP did not give a usable answer in time (down, slow, refused our credentials, sent garbage). */
    static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }

    private IntrospectionClient() {
    }

    static IntrospectionResult introspect(HttpClient http, IntrospectionSettings s, String secret, String token)
            throws Unavailable {
        String form = "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&token_type_hint=access_token";
        // RFC 6749 section 2.3.1: id and secret are form-encoded before they are joined for Basic
        String basic = Base64.getEncoder().encodeToString((URLEncoder.encode(s.clientId(), StandardCharsets.UTF_8)
                + ":" + URLEncoder.encode(secret, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(s.endpoint()).timeout(s.timeout())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .header("Authorization", "Basic " + basic)
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        CompletableFuture<HttpResponse<byte[]>> call = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> response;
        try {
            // the request timeout covers the answer's head; this bounds the whole call, body included
            response = call.get(s.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new Unavailable("no answer within " + s.timeout().toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new Unavailable(cause instanceof IOException ? "unreachable: " + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : " " + cause.getMessage()) : "failed: " + cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.cancel(true);
            throw new Unavailable("interrupted");
        }
        if (response.statusCode() != 200) {
            throw new Unavailable("answered " + response.statusCode()
                    + (response.statusCode() == 401 ? " (client-id / client-secret refused)" : ""));
        }
        if (response.body().length > MAX_RESPONSE) {
            throw new Unavailable("answer larger than " + MAX_RESPONSE + " bytes");
        }
        return parse(new String(response.body(), StandardCharsets.UTF_8));
    }

    static IntrospectionResult parse(String body) throws Unavailable {
        JsonObject json;
        try {
            json = Json.createReader(new StringReader(body)).readObject();
        } catch (JsonException | IllegalStateException e) {
            throw new Unavailable("answer is not a JSON object");
        }
        JsonValue active = json.get("active");
        if (active == null || !(active == JsonValue.TRUE || active == JsonValue.FALSE)) {
            throw new Unavailable("answer has no boolean 'active'");
        }
        if (active == JsonValue.FALSE) {
            return IntrospectionResult.INACTIVE;
        }
        Map<String, Object> claims = new LinkedHashMap<>();
        for (Map.Entry<String, JsonValue> e : json.entrySet()) {
            Object v = plain(e.getValue());
            if (v != null && !e.getKey().equals("active")) {
                claims.put(e.getKey(), v);
            }
        }
        return new IntrospectionResult(true, claims);
    }

    private static Object plain(JsonValue v) {
        return switch (v.getValueType()) {
            case STRING -> ((JsonString) v).getString();
            case NUMBER -> ((JsonNumber) v).isIntegral() ? (Object) ((JsonNumber) v).longValue()
                    : ((JsonNumber) v).doubleValue();
            case TRUE -> Boolean.TRUE;
            case FALSE -> Boolean.FALSE;
            case ARRAY -> {
                List<Object> items = new ArrayList<>();
                for (JsonValue item : v.asJsonArray()) {
                    Object p = plain(item);
                    if (p != null) {
                        items.add(p instanceof String ? p : String.valueOf(p));
                    }
                }
                yield List.copyOf(items);
            }
            default -> null;
        };
    }
}
