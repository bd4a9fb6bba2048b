package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.load.RequestRecord;
import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.Figures;
import dev.loomgate.chaos.report.Window;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The pass criteria of issue 7, computed from request records and measured instants. Pure functions: the
 * scenarios measure, these judge. Every criterion carries its figure; one that could not be measured fails.
 */
public final class ScenarioCriteria {
    private ScenarioCriteria() {
    }

    public static Criterion noFailedIdempotent(List<RequestRecord> records) {
        return Criterion.atMost("failed idempotent requests",
                "GET and POST with Idempotency-Key: 5xx or transport errors",
                Figures.failedIdempotent(records, Window.all()), "requests", 0);
    }

    public static Criterion noFailures(List<RequestRecord> records) {
        return Criterion.atMost("failed requests (any method)", "5xx or transport errors of GET, POST+key and POST",
                Figures.failed(records, Window.all()), "requests", 0);
    }

    public static Criterion noServerErrors(List<RequestRecord> records) {
        return Criterion.atMost("5xx responses", "responses with a 5xx status, all requests of the run",
                Figures.serverErrors(records, Window.all()), "responses", 0);
    }

    public static Criterion noServerErrorsFrom(List<RequestRecord> records, String node) {
        return Criterion.atMost("5xx from " + node, "5xx responses carrying X-Loomgate-Node: " + node,
                Figures.count(records, Window.all(), r -> r.serverError() && r.node().filter(node::equals).isPresent()),
                "responses", 0);
    }

    /**
     * Non-idempotent failures at most the non-idempotent requests in flight on the killed node at the kill. A request
     * that died with its node carries no node header, so in-flight requests without one count toward the bound too.
     */
    public static Criterion nonIdempotentFailuresBoundedByInFlight(List<RequestRecord> records, String node,
                                                                   long killAtMillis) {
        return nonIdempotentFailuresBoundedByInFlight(records, node, killAtMillis, killAtMillis);
    }

    /**
     * The same, for a kill that takes effect over {@code [killAtMillis, goneAtMillis]}: from the signal until the
     * process is gone (a zombie). In between, the node's kernel still completes TCP handshakes on its listening port
     * while the process' memory is torn down (measured: 3-63 ms for a JVM on this box), and a request the LB sends
     * there is reset when the listener finally closes, having reached the node as surely as one sent before the
     * signal. A plain POST may not be re-sent, so those are bounded here too; everything that started after the
     * process was gone must succeed.
     */
    public static Criterion nonIdempotentFailuresBoundedByInFlight(List<RequestRecord> records, String node,
                                                                   long killAtMillis, long goneAtMillis) {
        java.util.function.Predicate<RequestRecord> onNode =
                r -> !r.idempotent() && (r.node().isEmpty() || r.node().get().equals(node));
        long atSignal = Figures.inFlightAt(records, killAtMillis, onNode);
        long from = killAtMillis * 1_000_000L;
        long to = Math.max(killAtMillis, goneAtMillis) * 1_000_000L;
        long bound = records.stream().filter(onNode)
                .filter(r -> !r.dropped() && r.startEpochNanos() <= to && r.endEpochNanos() > from).count();
        String description = goneAtMillis > killAtMillis
                ? "plain POSTs failed, bounded by the plain POSTs in flight on " + node + " from the kill signal until "
                + "its process was gone " + (goneAtMillis - killAtMillis) + " ms later (" + bound + "; at the signal "
                + "alone: " + atSignal + ")"
                : "plain POSTs failed, bounded by the plain POSTs in flight on " + node + " at the kill (" + bound + ")";
        return Criterion.atMost("failed non-idempotent requests", description,
                Figures.failedNonIdempotent(records, Window.all()), "requests", bound);
    }

    /** HAProxy took the node out of rotation within {@code limitMillis} of the kill. */
    public static Criterion markedDownWithin(String lb, String node, OptionalLong markedDownAfterMillis,
                                             long limitMillis) {
        String name = lb + " marks " + node + " down";
        String description = "time from the kill until HAProxy's server state for " + node + " leaves UP";
        return markedDownAfterMillis.isPresent()
                ? Criterion.lessThan(name, description, markedDownAfterMillis.getAsLong(), "ms", limitMillis)
                : Criterion.notMeasured(name, description, "ms", "< " + limitMillis + " ms",
                "still UP when polling stopped");
    }

    /** Milliseconds from {@code fromMillis} to the start of the first request after it that {@code lb} answered. */
    public static OptionalLong firstAnsweredBy(List<RequestRecord> records, String lb, long fromMillis) {
        return records.stream().filter(r -> r.startMillis() >= fromMillis && r.status() > 0)
                .filter(r -> r.lb().filter(lb::equals).isPresent())
                .mapToLong(RequestRecord::endMillis).min().stream().map(t -> t - fromMillis).findFirst();
    }

    /** Scenario 3: the backup LB answers within the window, and failures happen only inside it. */
    public static List<Criterion> vipFailover(List<RequestRecord> records, String backupLb, long crashAtMillis,
                                              long windowMillis) {
        OptionalLong answered = firstAnsweredBy(records, backupLb, crashAtMillis);
        String name = "VIP answered by " + backupLb;
        String description = "time from the crash until the first response through the backup LB";
        Criterion first = answered.isPresent()
                ? Criterion.atMost(name, description, answered.getAsLong(), "ms", windowMillis)
                : Criterion.notMeasured(name, description, "ms", "<= " + windowMillis + " ms", "no response from "
                + backupLb + " after the crash");
        Window window = new Window(crashAtMillis, crashAtMillis + windowMillis);
        long outside = records.stream().filter(RequestRecord::failed)
                .filter(r -> !window.contains(r.startMillis()) && !r.inFlightAtMillis(crashAtMillis)).count();
        Criterion only = Criterion.atMost("failures outside the failover window",
                "failed requests neither in flight at the crash nor started within " + windowMillis + " ms after it",
                outside, "requests", 0);
        return List.of(first, only);
    }

    /**
     * Scenario 4: whole seconds in {@code window} in which the rate-limited route (offered twice its limit) got
     * requests but not a single 429: the limit stopped applying.
     */
    public static Criterion limitKeptApplying(List<RequestRecord> limited, Window window) {
        Map<Long, long[]> perSecond = new TreeMap<>();
        for (RequestRecord r : limited) {
            if (r.dropped() || !window.contains(r.startMillis())) {
                continue;
            }
            long[] c = perSecond.computeIfAbsent((r.startMillis() - window.fromMillis()) / 1000, k -> new long[2]);
            c[0]++;
            if (r.status() == 429) {
                c[1]++;
            }
        }
        String name = "seconds the rate limit did not apply";
        String description =
                "seconds after the fault in which the limited route, offered 2x its limit, answered no 429";
        if (perSecond.isEmpty()) {
            return Criterion.notMeasured(name, description, "s", "<= 0 s", "no requests on the limited route");
        }
        long without = perSecond.values().stream().filter(c -> c[0] > 0 && c[1] == 0).count();
        return Criterion.atMost(name, description + " (" + perSecond.size() + " s observed)", without, "s", 0);
    }

    /** Scenario 8: p99 in {@code window} at most {@code maxIncreaseMillis} above its {@code baseline} value. */
    public static Criterion p99WithinOfBaseline(List<RequestRecord> records, Window window, Window baseline,
                                                double maxIncreaseMillis) {
        OptionalDouble increase = Figures.p99Increase(records, window, baseline);
        String name = "p99 increase with the breaker open";
        OptionalDouble base = Figures.p99(records, baseline);
        OptionalDouble now = Figures.p99(records, window);
        String description = String.format(java.util.Locale.ROOT,
                "p99 after the Redis breaker opened (%s ms) minus p99 before the fault (%s ms)",
                now.isPresent() ? Criterion.format(now.getAsDouble()) : "n/a",
                base.isPresent() ? Criterion.format(base.getAsDouble()) : "n/a");
        return increase.isPresent()
                ? Criterion.atMost(name, description, increase.getAsDouble(), "ms", maxIncreaseMillis)
                : Criterion.notMeasured(name, description, "ms", "<= " + Criterion.format(maxIncreaseMillis) + " ms",
                "no answered requests in one of the windows");
    }

    /**
     * Scenario 2: p99 of the requests that started during the roll at most {@code maxRatio} times the p99 of the
     * requests that started in the steady {@code baseline} before it (a restarted node must not be slow for seconds).
     */
    public static Criterion p99RatioToSteady(List<RequestRecord> records, Window roll, Window baseline, double maxRatio) {
        OptionalDouble steady = Figures.p99(records, baseline);
        OptionalDouble during = Figures.p99(records, roll);
        String steadyText = steady.isPresent() ? Criterion.format(steady.getAsDouble()) : "n/a";
        String duringText = during.isPresent() ? Criterion.format(during.getAsDouble()) : "n/a";
        String name = "p99 during the roll / steady p99 (" + duringText + " ms vs " + steadyText + " ms)";
        String description = String.format(java.util.Locale.ROOT,
                "p99 of the %d answered requests that started during the rolling restart (%s ms) over the p99 of the "
                        + "%d answered in the %.1f s of steady load before it (%s ms)",
                Figures.count(records, roll, r -> r.status() > 0), duringText,
                Figures.count(records, baseline, r -> r.status() > 0), baseline.lengthMillis() / 1000.0, steadyText);
        return steady.isPresent() && during.isPresent() && steady.getAsDouble() > 0
                ? Criterion.atMost(name, description, during.getAsDouble() / steady.getAsDouble(), "x", maxRatio)
                : Criterion.notMeasured(name, description, "x", "<= " + Criterion.format(maxRatio) + " x",
                "no answered requests before the roll or during it");
    }

    /**
     * Scenario 8, per node: the requests each node answered after its own breaker opened (until {@code endMillis});
     * their p99 at most {@code maxIncreaseMillis} above the p99 of all requests that started in {@code baseline}.
     */
    public static Criterion p99AfterBreakersOpened(List<RequestRecord> records, Map<String, Long> openedAt,
                                                   long endMillis, Window baseline, double maxIncreaseMillis) {
        List<RequestRecord> after = records.stream()
                .filter(r -> r.node().map(openedAt::get).filter(t -> r.startMillis() >= t).isPresent())
                .filter(r -> r.startMillis() < endMillis)
                .toList();
        OptionalDouble now = Figures.p99(after, Window.all());
        OptionalDouble base = Figures.p99(records, baseline);
        String nowText = now.isPresent() ? Criterion.format(now.getAsDouble()) : "n/a";
        String baseText = base.isPresent() ? Criterion.format(base.getAsDouble()) : "n/a";
        // the absolute figures go in the name too, so the console table shows them beside the difference
        String name = "p99 increase with the breaker open (" + nowText + " ms vs " + baseText + " ms)";
        String description = String.format(java.util.Locale.ROOT,
                "p99 of the %d requests nodes answered after their own Redis breaker opened (%s ms) minus p99 of the "
                        + "%d requests in the %d s before the fault (%s ms), after the warm-up", after.size(), nowText,
                Figures.count(records, baseline, r -> r.status() > 0), baseline.lengthMillis() / 1000, baseText);
        return now.isPresent() && base.isPresent()
                ? Criterion.atMost(name, description, now.getAsDouble() - base.getAsDouble(), "ms", maxIncreaseMillis)
                : Criterion.notMeasured(name, description, "ms", "<= " + Criterion.format(maxIncreaseMillis) + " ms",
                "no answered requests after a breaker opened, or none before the fault");
    }

    /**
     * Scenario 9: every push ended accepted or refused by the compare-and-set on the version key (a stated conflict);
     * anything else (Consul still unreachable after the retries, an unexplained exit) counts against it.
     */
    public static Criterion pushesAccountedFor(List<RoutesPush.Outcome> outcomes, long retried) {
        long unexplained = outcomes.stream()
                .filter(o -> o != RoutesPush.Outcome.ACCEPTED && o != RoutesPush.Outcome.CAS_CONFLICT).count();
        String description = "of " + outcomes.size() + " pushes: " + ConfigChurnScenario.summary(outcomes) + " ("
                + retried + " found Consul unreachable at first and were tried again)";
        if (outcomes.isEmpty()) {
            return Criterion.notMeasured("pushes lost or failed", description, "pushes", "<= 0 pushes", "no pushes");
        }
        return Criterion.atMost("pushes lost or failed", description, unexplained, "pushes", 0);
    }

    /** Scenarios 5 and 9: nodes serving {@code expected} (node name to the version it reported). */
    public static Criterion nodesServing(Map<String, Optional<String>> versions, String expected) {
        long on = versions.values().stream().filter(v -> v.filter(expected::equals).isPresent()).count();
        StringBuilder seen = new StringBuilder();
        versions.forEach((node, v) -> seen.append(seen.isEmpty() ? "" : ", ").append(node).append('=')
                .append(v.orElse("no answer")));
        return Criterion.atLeast("nodes serving version " + expected,
                "every gateway node's /admin/config reports the last pushed version (" + seen + ")",
                on, "nodes", versions.size());
    }

    /** An instant that had to be observed within {@code limitMillis} (limiter degraded, recovered ...). */
    public static Criterion observedWithin(String name, String description, OptionalLong afterMillis,
                                           long limitMillis) {
        return afterMillis.isPresent()
                ? Criterion.atMost(name, description, afterMillis.getAsLong(), "ms", limitMillis)
                : Criterion.notMeasured(name, description, "ms", "<= " + limitMillis + " ms",
                "not seen within " + limitMillis + " ms");
    }

    /**
     * Scenario 1: the alert for the killed node reached Alertmanager (firing, labelled with the node) within
     * {@code bound} of the kill, and not before its {@code for:} ({@code earliest}): an earlier one was not
     * raised by this kill. {@code boundExplained}: how the bound was computed from the rendered configs.
     */
    public static Criterion alertReachedAlertmanager(String alert, String node, OptionalLong afterMillis,
                                                     java.time.Duration earliest, java.time.Duration bound,
                                                     String boundExplained) {
        String name = "node-down alert in Alertmanager";
        String description = "time from the kill until Alertmanager's /api/v2/alerts lists " + alert + " for " + node
                + " as active; bound " + boundExplained + ", not before the for: " + Criterion.format(
                earliest.toMillis() / 1000.0) + " s";
        double limit = bound.toMillis() / 1000.0;
        double min = earliest.toMillis() / 1000.0;
        String goal = "<= " + Criterion.format(limit) + " s";
        if (afterMillis.isEmpty()) {
            return Criterion.notMeasured(name, description, "s", goal, "not firing when polling stopped");
        }
        double seconds = Math.round(afterMillis.getAsLong() / 100.0) / 10.0;
        return new Criterion(name, description, seconds, "s", goal + (min > 0 ? " (>= " + Criterion.format(min)
                + " s)" : ""), afterMillis.getAsLong() >= earliest.toMillis() && seconds <= limit);
    }

    /** A scenario that cannot run in this mode: shown in the report as not measured, never as passed. */
    public static Criterion skipped(String why) {
        return Criterion.notMeasured("skipped", "scenario not run", "", "run", why);
    }
}
