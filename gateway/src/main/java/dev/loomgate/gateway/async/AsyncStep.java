package dev.loomgate.gateway.async;

import dev.loomgate.gateway.policy.async.AsyncSettings;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.loomgate.gateway.client.HttpFields;
import dev.loomgate.gateway.http.Json;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.pipeline.ClientBody;
import dev.loomgate.gateway.pipeline.ConsumerIdentity;
import dev.loomgate.gateway.pipeline.Exchange;
import dev.loomgate.gateway.pipeline.TerminalStep;

/**
 * The terminal step of an {@code async:} route: every filter has admitted the request, so it is stored as a job
 * (method, upstream path and query, upstream headers minus credentials, body up to {@code max-body}) and answered
 * {@code 202 Accepted} with {@code Location: /jobs/{id}} once the broker holds it (and, when configured, a replica).
 */
final class AsyncStep implements TerminalStep {
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final int MAX_IDEMPOTENCY_KEY = 255;

    private final String routeId;
    private final AsyncSettings settings;
    private final JobQueue queue;
    private final AsyncMetrics.Route metrics;

    AsyncStep(String routeId, AsyncSettings settings, JobQueue queue, AsyncMetrics.Route metrics) {
        this.routeId = routeId;
        this.settings = settings;
        this.queue = queue;
        this.metrics = metrics;
    }

    @Override
    public void handle(Exchange ex) {
        Optional<String> key = ex.request().header(IDEMPOTENCY_KEY).map(String::strip);
        if (key.isPresent() && (key.get().isEmpty() || key.get().length() > MAX_IDEMPOTENCY_KEY)) {
            ex.answer(new Problem(Problem.Type.BAD_REQUEST, "Idempotency-Key must have 1.." + MAX_IDEMPOTENCY_KEY
                    + " characters"));
            return;
        }
        Optional<byte[]> body;
        try {
            body = body(ex.body());
        } catch (TooLarge e) {
            ex.answer(new Problem(Problem.Type.PAYLOAD_TOO_LARGE, "the body is larger than this route's async"
                    + " max-body of " + settings.maxBody() + " bytes"));
            return;
        } catch (IOException | RuntimeException e) {
            ex.answer(new Problem(Problem.Type.BAD_REQUEST, "reading the request body failed: " + e.getMessage()));
            return;
        }
        String consumer = ex.attribute(ConsumerIdentity.ATTRIBUTE).map(ConsumerIdentity::id).orElse("");
        JobId id = JobId.create(routeId);
        Map<String, String> fields = fields(ex, body, consumer, key);
        // the scope is per consumer and route: two callers using the same key never see each other's job
        Optional<String> scope = key.map(k -> consumer + "\n" + routeId + "\n" + k);
        JobQueue.Enqueued result;
        try {
            result = queue.enqueue(routeId, id.value(), fields, scope, settings.maxQueue(), settings.replicas(),
                    settings.replicaTimeout());
        } catch (QueueUnavailableException e) {
            retryAfter(ex);
            ex.answer(new Problem(Problem.Type.QUEUE_UNAVAILABLE, "the job could not be stored; try again"));
            return;
        }
        switch (result) {
            case JobQueue.Enqueued.Full f -> {
                metrics.rejectedFull();
                retryAfter(ex);
                ex.answer(new Problem(Problem.Type.QUEUE_FULL, "the route's queue holds " + f.depth()
                        + " jobs (max-queue " + settings.maxQueue() + ")"));
            }
            case JobQueue.Enqueued.Duplicate d -> accepted(ex, d.jobId(), true);
            case JobQueue.Enqueued.Stored s -> {
                if (s.replicas() < settings.replicas()) {
                    // stored on the master only: it may be lost in a failover, so no promise is made
                    metrics.unreplicated();
                    retryAfter(ex);
                    ex.answer(new Problem(Problem.Type.QUEUE_UNAVAILABLE, "the job was not confirmed by "
                            + settings.replicas() + " replica(s) in time; resubmit with the same Idempotency-Key"));
                    return;
                }
                metrics.enqueued();
                accepted(ex, s.jobId(), false);
            }
        }
    }

    private void retryAfter(Exchange ex) {
        ex.response().headers().set("Retry-After", Long.toString(Math.max(1, settings.retryAfter().toSeconds())));
    }

    private void accepted(Exchange ex, String jobId, boolean replayed) {
        ex.attribute(Jobs.JOB_ID, jobId);
        String location = Jobs.PATH_PREFIX + jobId;
        ex.response().status(202, "Accepted");
        ex.response().headers().set("Location", location);
        retryAfter(ex);
        ex.response().headers().set("Content-Type", "application/json");
        ex.response().headers().set("Cache-Control", "no-store");
        if (replayed) {
            ex.response().headers().set("Idempotent-Replayed", "true");
        }
        ex.response().send(("{\"id\":" + Json.quote(jobId) + ",\"state\":\"queued\",\"status_url\":"
                + Json.quote(location) + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private Map<String, String> fields(Exchange ex, Optional<byte[]> body, String consumer, Optional<String> key) {
        String now = Long.toString(System.currentTimeMillis());
        Map<String, String> f = new LinkedHashMap<>();
        f.put(JobFields.STATE, JobState.QUEUED.wire());
        f.put(JobFields.ATTEMPTS, "0");
        f.put(JobFields.ROUTE, routeId);
        f.put(JobFields.CONSUMER, consumer);
        f.put(JobFields.METHOD, ex.request().method());
        String query = ex.request().rawQuery();
        f.put(JobFields.TARGET, query.isEmpty() ? ex.upstreamPath() : ex.upstreamPath() + "?" + query);
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        String traceparent = "";
        // the proxy's exchange builds its upstream headers as HttpFields (hop-by-hop gone, forwarding headers set)
        if (ex.upstreamHeaders() instanceof HttpFields h) {
            for (int i = 0; i < h.size(); i++) {
                String name = h.name(i).toLowerCase(Locale.ROOT);
                if (name.equals("traceparent")) {
                    traceparent = h.value(i);
                    continue;
                }
                if (!settings.dropHeaders().contains(name) && !name.equals("content-length")
                        && !name.equals("transfer-encoding") && !name.equals("idempotency-key")) {
                    headers.add(Map.entry(h.name(i), h.value(i)));
                }
            }
        }
        f.put(JobFields.HEADERS, JobFields.headers(headers));
        body.ifPresent(b -> f.put(JobFields.BODY, JobFields.base64(b)));
        f.put(JobFields.CREATED, now);
        f.put(JobFields.UPDATED, now);
        f.put(JobFields.REQUEST_ID, ex.requestId());
        f.put(JobFields.TRACEPARENT, traceparent);
        f.put(JobFields.CLIENT_IP, ex.request().clientIp());
        f.put(JobFields.HOST, ex.request().host());
        key.ifPresent(k -> f.put(JobFields.IDEMPOTENCY_KEY, k));
        return f;
    }

    private static final class TooLarge extends Exception {
        TooLarge() {
            super(null, null, false, false);
        }
    }

    /** The whole body, refused before it is stored when larger than max-body (declared or counted). */
    private Optional<byte[]> body(ClientBody client) throws IOException, TooLarge {
        if (!client.present()) {
            return Optional.empty();
        }
        if (client.length().isPresent() && client.length().getAsLong() > settings.maxBody()) {
            throw new TooLarge();
        }
        InputStream in = client.stream();
        byte[] bytes = in.readNBytes((int) settings.maxBody() + 1);
        if (bytes.length > settings.maxBody()) {
            throw new TooLarge();
        }
        return Optional.of(bytes);
    }
}
