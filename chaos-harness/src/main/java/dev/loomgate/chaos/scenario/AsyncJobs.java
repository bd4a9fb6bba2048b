package dev.loomgate.chaos.scenario;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pure parts of the async scenario: the routes variant with an async route, and the verdict on the submitted
 * jobs (which were accepted, which of those were lost, when, and which never finished). Kept apart from the run so
 * they can be checked without a cluster.
 */
public final class AsyncJobs {
    /** Path prefix of the async route the scenario adds. */
    public static final String PREFIX = "/chaos-async";
    private static final Pattern ROUTES_LINE = Pattern.compile("(?m)^routes:[ \\t]*$");

    private AsyncJobs() {
    }

    /**
     * The document with an async route on the {@code demo} upstream as first route (most specific prefix wins
     * anyway). {@code replicas: 1}: a job is answered 202 only once a Redis replica has it, the durable setting.
     */
    public static String withAsyncRoute(String document, String upstream) {
        Matcher m = ROUTES_LINE.matcher(document);
        if (!m.find()) {
            throw new IllegalArgumentException("the routes document has no top-level 'routes:' line");
        }
        String route = """
                  - id: chaos-async
                    upstream: %s
                    match: { path-prefix: %s }
                    async: { workers: 8, reclaim-after: 3s, max-attempts: 20, initial-backoff: 200ms, max-backoff: 2s, replicas: 1, replica-timeout: 500ms }
                """.formatted(upstream, PREFIX);
        return document.substring(0, m.end()) + "\n" + route.stripTrailing() + document.substring(m.end());
    }

    /** One submission: when it was sent, what came back, and the job id when the answer was 202. */
    public record Submission(long seq, long startMillis, int status, Optional<String> jobId) {
        public boolean accepted() {
            return status == 202 && jobId.isPresent();
        }
    }

    /** Where an accepted job ended: finished (any final state), lost (its status URL is 404), or still pending. */
    public enum Fate { FINISHED, LOST, PENDING }

    /**
     * @param accepted      202s
     * @param lostBefore    accepted before {@code splitMillis} (the gateway-kill phase) and lost
     * @param lostAfter     accepted at or after it (the Redis-failover phase) and lost
     * @param pending       accepted and not final when the scenario stopped waiting
     * @param firstLost     submit time of the earliest lost job after the split, relative to the split (ms)
     * @param lastLost      the same for the latest one
     */
    public record Verdict(long accepted, long lostBefore, long lostAfter, long pending, OptionalLong firstLost,
                          OptionalLong lastLost) {
        /** {@code 120 ms (from +35 ms to +155 ms after the kill)}, or {@code none}. */
        public String window() {
            if (firstLost.isEmpty()) {
                return "none";
            }
            return (lastLost.getAsLong() - firstLost.getAsLong()) + " ms (jobs submitted from " + signed(firstLost)
                    + " to " + signed(lastLost) + " ms around the Redis kill)";
        }

        private static String signed(OptionalLong v) {
            return (v.getAsLong() >= 0 ? "+" : "") + v.getAsLong();
        }
    }

    public static Verdict verdict(List<Submission> submissions, Map<String, Fate> fates, long splitMillis) {
        long accepted = 0;
        long lostBefore = 0;
        long lostAfter = 0;
        long pending = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Submission s : submissions) {
            if (!s.accepted()) {
                continue;
            }
            accepted++;
            Fate fate = fates.getOrDefault(s.jobId().get(), Fate.PENDING);
            if (fate == Fate.PENDING) {
                pending++;
            } else if (fate == Fate.LOST) {
                if (s.startMillis() < splitMillis) {
                    lostBefore++;
                } else {
                    lostAfter++;
                    first = Math.min(first, s.startMillis() - splitMillis);
                    last = Math.max(last, s.startMillis() - splitMillis);
                }
            }
        }
        return new Verdict(accepted, lostBefore, lostAfter, pending,
                first == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(first),
                last == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(last));
    }

    /** The fate a status URL answer tells: a stored result or a dead letter is final, 404 is lost. */
    public static Fate fate(HttpResult status) {
        if (status.status() == 404) {
            return Fate.LOST;
        }
        if (status.header("Loomgate-Job-State").isPresent() || status.status() == 303
                || status.body().contains("\"state\":\"dead\"")) {
            return Fate.FINISHED;
        }
        return Fate.PENDING;
    }
}
