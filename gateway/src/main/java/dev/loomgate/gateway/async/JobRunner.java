package dev.loomgate.gateway.async;

import dev.loomgate.gateway.policy.async.AsyncSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.loomgate.gateway.call.CallOutcome;
import dev.loomgate.gateway.client.HttpFields;
import dev.loomgate.gateway.client.RequestBody;
import dev.loomgate.gateway.client.UpstreamRequest;
import dev.loomgate.gateway.client.UpstreamResponse;
import dev.loomgate.gateway.http.Json;
import dev.loomgate.gateway.observe.AccessLog;
import dev.loomgate.gateway.observe.TraceContext;
import dev.loomgate.gateway.route.Route;
import dev.loomgate.gateway.routing.RoutingSnapshot;
import dev.loomgate.gateway.trace.RequestTrace;
import dev.loomgate.gateway.upstream.Upstream;

/**
 * Runs one delivery of one job: count the attempt, send the stored request through the same upstream-call chain
 * as the proxy (timeouts, retries, breaker, bulkhead, tracing), then store the answer, queue the job again with
 * backoff, or dead-letter it. While the call runs, a heartbeat keeps the delivery from being reclaimed.
 */
final class JobRunner {
    private static final Logger LOG = Logger.getLogger(JobRunner.class.getName());
    /** Upstream answers that say "try later": the job is retried with backoff instead of finishing. */
    private static final Set<Integer> RETRYABLE = Set.of(429, 502, 503, 504);
    private static final Set<String> NOT_STORED = Set.of("connection", "keep-alive", "transfer-encoding",
            "content-length", "te", "trailer", "upgrade", "proxy-connection", "x-request-id");

    private final WorkerContext node;
    private final String routeId;
    private final AsyncSettings settings;
    private final Optional<String> webhookSecret;
    private final AsyncMetrics.Route metrics;

    JobRunner(WorkerContext node, String routeId, AsyncSettings settings, Optional<String> webhookSecret,
              AsyncMetrics.Route metrics) {
        this.node = node;
        this.routeId = routeId;
        this.settings = settings;
        this.webhookSecret = webhookSecret;
        this.metrics = metrics;
    }

    void run(JobQueue.Delivery d) {
        long now = System.currentTimeMillis();
        Optional<Map<String, String>> started = node.queue().start(d, Map.of(JobFields.NODE, node.nodeId(),
                JobFields.UPDATED, Long.toString(now)));
        if (started.isEmpty()) {
            return; // purged, or finished by a worker whose acknowledgement was lost
        }
        Map<String, String> job = started.get();
        int attempts = Integer.parseInt(job.getOrDefault(JobFields.ATTEMPTS, "1"));
        if (attempts > settings.maxAttempts()) {
            // its workers kept dying (or it was reclaimed too often): stop trying
            deadLetter(d, job, attempts, job.getOrDefault(JobFields.LAST_ERROR, "delivered " + attempts + " times"));
            return;
        }
        metrics.started.increment();
        metrics.busy.incrementAndGet();
        long period = Math.max(100, settings.reclaimAfter().toMillis() / 3);
        ScheduledFuture<?> heartbeat = node.scheduler().scheduleAtFixedRate(() -> {
            try {
                node.queue().heartbeat(d, node.workerName());
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "heartbeat for job " + d.jobId() + " failed", e);
            }
        }, period, period, TimeUnit.MILLISECONDS);
        Result result;
        try {
            result = call(job, d.jobId());
        } finally {
            heartbeat.cancel(false);
            metrics.busy.decrementAndGet();
        }
        settle(d, job, attempts, result);
    }

    /** What one attempt produced: an answer to store, or a reason to try again. */
    private sealed interface Result {
        record Answer(int status, List<Map.Entry<String, String>> headers, byte[] body) implements Result {
        }

        record Retry(String reason) implements Result {
        }
    }

    private void settle(JobQueue.Delivery d, Map<String, String> job, int attempts, Result result) {
        long now = System.currentTimeMillis();
        switch (result) {
            case Result.Answer a when !RETRYABLE.contains(a.status()) -> {
                JobState state = a.status() < 500 ? JobState.SUCCEEDED : JobState.FAILED;
                Map<String, String> f = new LinkedHashMap<>();
                f.put(JobFields.STATE, state.wire());
                f.put(JobFields.RESULT_STATUS, Integer.toString(a.status()));
                f.put(JobFields.RESULT_HEADERS, JobFields.headers(a.headers()));
                f.put(JobFields.RESULT_BODY, JobFields.base64(a.body()));
                f.put(JobFields.FINISHED, Long.toString(now));
                f.put(JobFields.UPDATED, Long.toString(now));
                node.queue().finish(d, f, settings.resultTtl());
                (state == JobState.SUCCEEDED ? metrics.succeeded : metrics.failed).increment();
                announce(d.jobId(), state, attempts, Optional.of(a.status()));
            }
            case Result.Answer a -> retryOrDead(d, job, attempts, "upstream answered " + a.status());
            case Result.Retry r -> retryOrDead(d, job, attempts, r.reason());
        }
    }

    private void retryOrDead(JobQueue.Delivery d, Map<String, String> job, int attempts, String reason) {
        if (attempts >= settings.maxAttempts()) {
            deadLetter(d, job, attempts, reason);
            return;
        }
        long due = System.currentTimeMillis() + settings.backoff(attempts).toMillis();
        node.queue().retryLater(d, Map.of(JobFields.LAST_ERROR, reason, JobFields.NEXT_ATTEMPT, Long.toString(due),
                JobFields.UPDATED, Long.toString(System.currentTimeMillis())), due);
        metrics.retried.increment();
    }

    private void deadLetter(JobQueue.Delivery d, Map<String, String> job, int attempts, String reason) {
        long now = System.currentTimeMillis();
        node.queue().deadLetter(d, Map.of(JobFields.LAST_ERROR, reason, JobFields.FINISHED, Long.toString(now),
                JobFields.UPDATED, Long.toString(now)));
        metrics.dead.increment();
        LOG.warning(() -> "job " + d.jobId() + " of route " + routeId + " dead-lettered after " + attempts
                + " attempts: " + reason);
        announce(d.jobId(), JobState.DEAD, attempts, Optional.empty());
    }

    private void announce(String jobId, JobState state, int attempts, Optional<Integer> status) {
        if (settings.webhook().isEmpty() || webhookSecret.isEmpty()) {
            return;
        }
        String body = "{\"id\":" + Json.quote(jobId) + ",\"route\":" + Json.quote(routeId) + ",\"state\":\""
                + state.wire() + "\",\"attempts\":" + attempts + status.map(s -> ",\"status\":" + s).orElse("")
                + ",\"status_url\":" + Json.quote(Jobs.PATH_PREFIX + jobId) + "}";
        node.webhooks().deliver(settings.webhook().get(), webhookSecret.get(), jobId,
                body.getBytes(StandardCharsets.UTF_8), metrics);
    }

    /** The upstream call, logged like a proxied request (with the job id) and traced as the original's child. */
    private Result call(Map<String, String> job, String jobId) {
        RoutingSnapshot snapshot = node.routing().get();
        Optional<Route> route = snapshot.routes().routes().stream().filter(r -> r.id().equals(routeId)).findFirst();
        if (route.isEmpty()) {
            return new Result.Retry("route '" + routeId + "' is not in this node's routes");
        }
        Optional<Upstream> upstream = snapshot.upstream(route.get().upstream());
        if (upstream.isEmpty()) {
            return new Result.Retry("upstream '" + route.get().upstream() + "' has no available endpoint");
        }
        JobRequestView view = JobRequestView.of(job);
        TraceContext incoming = TraceContext.from(List.of(job.getOrDefault(JobFields.TRACEPARENT, "")), List.of());
        RequestTrace spans = node.tracing().startRequest(incoming, view.method(), view.path());
        spans.routed(routeId, route.get().upstream());
        TraceContext trace = spans.context(incoming);
        HttpFields headers = new HttpFields(view.headers().size() + 3);
        view.headers().forEach(h -> headers.add(h.getKey(), h.getValue()));
        headers.set("traceparent", trace.traceparent());
        // every attempt of a job carries the same key, so the upstream can drop a duplicate delivery
        String idempotencyKey = job.getOrDefault(JobFields.IDEMPOTENCY_KEY, "");
        headers.set(AsyncStep.IDEMPOTENCY_KEY, idempotencyKey.isEmpty() ? jobId : idempotencyKey);
        byte[] body = JobFields.unbase64(job.get(JobFields.BODY));
        RequestBody requestBody = job.containsKey(JobFields.BODY) ? new RequestBody.Bytes(body) : RequestBody.NONE;
        UpstreamRequest request = new UpstreamRequest(view.method(), job.getOrDefault(JobFields.TARGET, "/"), headers,
                requestBody, true);
        String[] endpoint = {""};
        long start = System.nanoTime();
        int status = 502;
        long bytesOut = 0;
        Result result;
        try {
            CallOutcome outcome = node.calls().forward(upstream.get(), route.get(), view, request, e -> endpoint[0] = e,
                    spans);
            result = switch (outcome) {
                case CallOutcome.Failed f -> {
                    status = f.problem().status();
                    yield new Result.Retry(f.problem().detail());
                }
                case CallOutcome.Answered a -> {
                    status = a.response().status();
                    try (UpstreamResponse r = a.response()) {
                        Result ans = answer(r);
                        bytesOut = ans instanceof Result.Answer x ? x.body().length : 0;
                        yield ans;
                    } finally {
                        a.finished().run();
                    }
                }
            };
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "job attempt failed on route " + routeId, e);
            result = new Result.Retry("attempt failed: " + e.getMessage());
        } finally {
            spans.end(status);
        }
        if (node.accessLog().enabled()) {
            node.accessLog().log(new AccessLog.Entry(System.currentTimeMillis(), node.nodeId(), routeId,
                    route.get().upstream(), endpoint[0], view.method(), view.path(), status,
                    (System.nanoTime() - start) / 1e6, body.length, bytesOut, job.getOrDefault(JobFields.REQUEST_ID, ""),
                    view.clientIp(), trace.traceId(), job.getOrDefault(JobFields.CONSUMER, ""),
                    jobId));
        }
        return result;
    }

    private Result answer(UpstreamResponse r) {
        if (r.contentLength().isPresent() && r.contentLength().getAsLong() > settings.maxResultBody()) {
            return new Result.Answer(502, List.of(), ("{\"error\":\"the upstream answer is larger than max-result-body\"}")
                    .getBytes(StandardCharsets.UTF_8));
        }
        byte[] body;
        try {
            body = r.body().readNBytes((int) settings.maxResultBody() + 1);
        } catch (IOException e) {
            return new Result.Retry("reading the upstream answer failed: " + e.getMessage());
        }
        if (body.length > settings.maxResultBody()) {
            return new Result.Answer(502, List.of(), ("{\"error\":\"the upstream answer is larger than max-result-body\"}")
                    .getBytes(StandardCharsets.UTF_8));
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        HttpFields h = r.headers();
        for (int i = 0; i < h.size(); i++) {
            if (!NOT_STORED.contains(h.name(i).toLowerCase(Locale.ROOT))) {
                headers.add(Map.entry(h.name(i), h.value(i)));
            }
        }
        return new Result.Answer(r.status(), headers, body);
    }
}
