package dev.loomgate.gateway.saga;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import dev.loomgate.gateway.upstream.Upstream;
import dev.loomgate.gateway.upstream.UpstreamHost;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * Calls saga participants: one step action, compensation, confirm or cancel, with its {@code Idempotency-Key}, its
 * timeout and its bounded retries (5xx, 408, 429, timeouts and connection failures are retried; other 4xx answers
 * are final). Endpoints come from the node's current routing snapshot, so discovery and health apply.
 */
final class ParticipantClient {
    /** What a call came to. */
    sealed interface Result {
    }

    /** A 2xx answer; the body parsed as JSON (a non-JSON body is kept as a string). */
    record Ok(int status, JsonValue body) implements Result {
    }

    /** A final refusal (4xx), or retries used up ({@code status} 0 for timeouts and connection failures). */
    record Failed(int status, String reason, boolean permanent) implements Result {
    }

    /** The node stopped while the call was under way: nothing may be written about it. */
    record Halted() implements Result {
    }

    private static final int MAX_BODY = 1024 * 1024;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    private final Function<String, Optional<Upstream>> upstreams;
    private final AtomicInteger roundRobin = new AtomicInteger();

    /** @param upstreams the node's current upstreams by name (from its routing snapshot) */
    ParticipantClient(Function<String, Optional<Upstream>> upstreams) {
        this.upstreams = upstreams;
    }

    /**
     * @param halted checked before every attempt and after every answer: a stopped node sends and records nothing
     */
    Result call(SagaDefinition.Call call, JsonObject context, String idempotencyKey, BooleanSupplier halted) {
        String path = call.path().text(context, true);
        Optional<String> body = call.body().map(b -> b.render(context).toString());
        Failed last = new Failed(0, "not tried", false);
        for (int attempt = 1; attempt <= call.attempts(); attempt++) {
            if (halted.getAsBoolean()) {
                return new Halted();
            }
            if (attempt > 1 && !pause(call.backoff().multipliedBy(attempt - 1))) {
                return new Halted();
            }
            Result r = once(call, path, body, idempotencyKey);
            if (halted.getAsBoolean()) {
                return new Halted();
            }
            if (r instanceof Failed f && !f.permanent()) {
                last = f;
                continue;
            }
            return r;
        }
        return new Failed(last.status(), last.reason() + " (after " + call.attempts() + " attempts)", false);
    }

    private Result once(SagaDefinition.Call call, String path, Optional<String> body, String key) {
        Optional<String> base = endpoint(call.upstream());
        if (base.isEmpty()) {
            return new Failed(0, "upstream '" + call.upstream() + "' has no available plain-HTTP endpoint", false);
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base.get() + path)).timeout(call.timeout())
                .header("Idempotency-Key", key).header("Accept", "application/json");
        if (body.isPresent()) {
            req.header("Content-Type", "application/json")
                    .method(call.method(), HttpRequest.BodyPublishers.ofString(body.get(), StandardCharsets.UTF_8));
        } else {
            req.method(call.method(), HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<byte[]> res = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            int s = res.statusCode();
            if (s >= 200 && s < 300) {
                return new Ok(s, parse(res.body()));
            }
            boolean retry = s >= 500 || s == 408 || s == 429;
            return new Failed(s, call.method() + " " + path + " answered " + s, !retry);
        } catch (HttpTimeoutException e) {
            return new Failed(0, call.method() + " " + path + " timed out after " + call.timeout().toMillis() + "ms", false);
        } catch (IOException e) {
            return new Failed(0, call.method() + " " + path + " failed: " + e.getMessage(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Halted();
        }
    }

    private Optional<String> endpoint(String upstream) {
        Optional<Upstream> u = upstreams.apply(upstream);
        if (u.isEmpty() || u.get().definition().tls().isPresent()) {
            return Optional.empty();
        }
        List<UpstreamHost> hosts = u.get().hosts().stream().filter(UpstreamHost::available).toList();
        if (hosts.isEmpty()) {
            hosts = u.get().hosts();
        }
        if (hosts.isEmpty()) {
            return Optional.empty();
        }
        UpstreamHost h = hosts.get(Math.floorMod(roundRobin.getAndIncrement(), hosts.size()));
        return Optional.of("http://" + h.endpoint().host() + ":" + h.endpoint().port());
    }

    private static JsonValue parse(byte[] body) {
        if (body.length == 0) {
            return JsonValue.NULL;
        }
        String text = new String(body, 0, Math.min(body.length, MAX_BODY), StandardCharsets.UTF_8);
        try {
            return Json.createReader(new StringReader(text)).readValue();
        } catch (JsonException | IllegalStateException e) {
            return Json.createValue(text);
        }
    }

    private static boolean pause(Duration d) {
        try {
            Thread.sleep(d);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void close() {
        http.close();
    }
}
