package dev.loomgate.gateway.async;

import dev.loomgate.gateway.policy.async.AsyncSettings;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

import dev.loomgate.gateway.http.Json;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.pipeline.ConsumerIdentity;
import dev.loomgate.gateway.pipeline.Exchange;
import dev.loomgate.gateway.pipeline.TerminalStep;

/**
 * Answers {@code GET /jobs/{id}} and {@code GET /jobs/{id}/result} after the job's route's filters admitted the
 * caller: a pending job's state as JSON, a finished job's stored upstream response (or a 303 to its result URL).
 * Unknown, expired and other consumers' jobs all get the same 404, so a status URL reveals nothing to others.
 */
final class JobStatusStep implements TerminalStep {
    static final String NOT_FOUND = "no such job (unknown, expired, or not yours)";

    private final JobQueue queue;
    private final JobId id;
    private final boolean result;
    private final AsyncSettings settings;

    JobStatusStep(JobQueue queue, JobId id, boolean result, AsyncSettings settings) {
        this.queue = queue;
        this.id = id;
        this.result = result;
        this.settings = settings;
    }

    @Override
    public void handle(Exchange ex) {
        Optional<Map<String, String>> found;
        try {
            found = queue.find(id.routeId(), id.value());
        } catch (QueueUnavailableException e) {
            ex.response().headers().set("Retry-After", Long.toString(Math.max(1, settings.retryAfter().toSeconds())));
            ex.answer(new Problem(Problem.Type.QUEUE_UNAVAILABLE, "the job store is unavailable; try again"));
            return;
        }
        String caller = ex.attribute(ConsumerIdentity.ATTRIBUTE).map(ConsumerIdentity::id).orElse("");
        if (found.isEmpty() || !found.get().getOrDefault(JobFields.CONSUMER, "").equals(caller)) {
            ex.answer(new Problem(Problem.Type.NOT_FOUND, NOT_FOUND));
            return;
        }
        Map<String, String> job = found.get();
        JobState state = JobState.of(job.getOrDefault(JobFields.STATE, "")).orElse(JobState.QUEUED);
        boolean answered = (state == JobState.SUCCEEDED || state == JobState.FAILED)
                && job.containsKey(JobFields.RESULT_STATUS);
        if (result) {
            if (!answered) {
                ex.answer(new Problem(Problem.Type.NOT_FOUND, "the job has no result (yet): it is " + state.wire()));
                return;
            }
            stored(ex, job, state);
            return;
        }
        if (answered && settings.redirect()) {
            ex.response().status(303, "See Other");
            ex.response().headers().set("Location", Jobs.PATH_PREFIX + id.value() + Jobs.RESULT_SUFFIX);
            ex.response().headers().set("Cache-Control", "no-store");
            ex.response().send();
            return;
        }
        if (answered) {
            stored(ex, job, state);
            return;
        }
        if (!state.isFinal()) {
            ex.response().headers().set("Retry-After", Long.toString(Math.max(1, settings.retryAfter().toSeconds())));
        }
        ex.response().status(200);
        ex.response().headers().set("Content-Type", "application/json");
        ex.response().headers().set("Cache-Control", "no-store");
        ex.response().send(statusJson(id.value(), job, state).getBytes(StandardCharsets.UTF_8));
    }

    static String statusJson(String jobId, Map<String, String> job, JobState state) {
        StringBuilder sb = new StringBuilder(200);
        sb.append("{\"id\":").append(Json.quote(jobId));
        sb.append(",\"state\":\"").append(state.wire()).append('"');
        sb.append(",\"attempts\":").append(number(job.get(JobFields.ATTEMPTS)));
        sb.append(",\"route\":").append(Json.quote(job.getOrDefault(JobFields.ROUTE, "")));
        sb.append(",\"created\":").append(number(job.get(JobFields.CREATED)));
        sb.append(",\"updated\":").append(number(job.get(JobFields.UPDATED)));
        if (state == JobState.QUEUED && job.containsKey(JobFields.NEXT_ATTEMPT)) {
            sb.append(",\"next_attempt\":").append(number(job.get(JobFields.NEXT_ATTEMPT)));
        }
        if (job.containsKey(JobFields.LAST_ERROR)) {
            sb.append(",\"last_error\":").append(Json.quote(job.get(JobFields.LAST_ERROR)));
        }
        if (job.containsKey(JobFields.RESULT_STATUS)) {
            sb.append(",\"status\":").append(number(job.get(JobFields.RESULT_STATUS)));
        }
        return sb.append('}').toString();
    }

    private static long number(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The upstream's stored answer, as the client would have had it from the synchronous route. */
    private static void stored(Exchange ex, Map<String, String> job, JobState state) {
        int status = (int) number(job.get(JobFields.RESULT_STATUS));
        ex.response().status(status);
        for (Map.Entry<String, String> h : JobFields.headers(job.get(JobFields.RESULT_HEADERS))) {
            ex.response().headers().add(h.getKey(), h.getValue());
        }
        ex.response().headers().set("Loomgate-Job-State", state.wire());
        byte[] body = JobFields.unbase64(job.get(JobFields.RESULT_BODY));
        if (status == 204 || status == 304) {
            ex.response().send();
        } else {
            ex.response().send(body);
        }
    }
}
