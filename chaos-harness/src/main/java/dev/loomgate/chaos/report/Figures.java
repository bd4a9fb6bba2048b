package dev.loomgate.chaos.report;

import dev.loomgate.chaos.load.RequestKind;
import dev.loomgate.chaos.load.RequestRecord;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * The figures chaos criteria are made of. Windows select requests by their start time; "failed" means a 5xx
 * or a transport error ({@link RequestRecord#failed()}); 4xx rejections and in-flight-cap drops are not failures.
 */
public final class Figures {
    private Figures() {
    }

    public static Predicate<RequestRecord> startedIn(Window window) {
        return r -> window.contains(r.startMillis());
    }

    public static long count(List<RequestRecord> records, Window window, Predicate<RequestRecord> filter) {
        return records.stream().filter(startedIn(window)).filter(filter).count();
    }

    /** Failed requests started in the window that match {@code filter} (e.g. {@code RequestRecord::idempotent}). */
    public static long failed(List<RequestRecord> records, Window window, Predicate<RequestRecord> filter) {
        return count(records, window, filter.and(RequestRecord::failed));
    }

    public static long failed(List<RequestRecord> records, Window window) {
        return failed(records, window, r -> true);
    }

    public static long failedIdempotent(List<RequestRecord> records, Window window) {
        return failed(records, window, RequestRecord::idempotent);
    }

    public static long failedNonIdempotent(List<RequestRecord> records, Window window) {
        return failed(records, window, r -> !r.idempotent());
    }

    /** Failed requests per kind (GET, POST+key, POST) in the window; every kind present, 0 when none. */
    public static Map<RequestKind, Long> failedByKind(List<RequestRecord> records, Window window) {
        Map<RequestKind, Long> out = new EnumMap<>(RequestKind.class);
        for (RequestKind kind : RequestKind.values()) {
            out.put(kind, failed(records, window, r -> r.kind() == kind));
        }
        return out;
    }

    /** Failures that started outside {@code window}: faults should only hurt inside their window. */
    public static long failedOutside(List<RequestRecord> records, Window window) {
        return records.stream().filter(RequestRecord::failed).filter(r -> !window.contains(r.startMillis())).count();
    }

    public static long serverErrors(List<RequestRecord> records, Window window) {
        return count(records, window, RequestRecord::serverError);
    }

    public static long status(List<RequestRecord> records, Window window, int status) {
        return count(records, window, r -> r.status() == status);
    }

    /** Requests on the wire at the instant (started at or before it, not yet complete). */
    public static long inFlightAt(List<RequestRecord> records, long instantMillis, Predicate<RequestRecord> filter) {
        long at = instantMillis * 1_000_000L;
        return records.stream().filter(r -> r.inFlightAt(at)).filter(filter).count();
    }

    public static long inFlightAt(List<RequestRecord> records, long instantMillis) {
        return inFlightAt(records, instantMillis, r -> true);
    }

    /** In flight at the instant and answered by {@code node} (known from its response header). */
    public static long inFlightOnNode(List<RequestRecord> records, String node, long instantMillis) {
        return inFlightAt(records, instantMillis, r -> r.node().filter(node::equals).isPresent());
    }

    /**
     * In flight at the instant with no node header: requests that died with a node never name it, so this is
     * the upper bound to add to {@link #inFlightOnNode} when judging failures caused by a killed node.
     */
    public static long inFlightUnattributed(List<RequestRecord> records, long instantMillis) {
        return inFlightAt(records, instantMillis, r -> r.node().isEmpty());
    }

    /** Latency percentile (p in 0..1, ms) of requests that got a status and started in the window. */
    public static OptionalDouble latencyPercentile(List<RequestRecord> records, Window window, double p) {
        double[] values = records.stream().filter(startedIn(window)).filter(r -> r.status() > 0)
                .mapToDouble(RequestRecord::latencyMillis).toArray();
        return values.length == 0 ? OptionalDouble.empty() : OptionalDouble.of(Percentiles.of(values, values.length, p));
    }

    public static OptionalDouble p99(List<RequestRecord> records, Window window) {
        return latencyPercentile(records, window, 0.99);
    }

    /** p99 in {@code window} minus p99 in {@code baseline} (ms); empty if either has no samples. */
    public static OptionalDouble p99Increase(List<RequestRecord> records, Window window, Window baseline) {
        OptionalDouble now = p99(records, window);
        OptionalDouble base = p99(records, baseline);
        return now.isPresent() && base.isPresent()
                ? OptionalDouble.of(now.getAsDouble() - base.getAsDouble()) : OptionalDouble.empty();
    }

    /** Milliseconds from {@code fromMillis} until the client first saw a failure (its completion), if any. */
    public static OptionalLong firstFailureAfter(List<RequestRecord> records, long fromMillis) {
        return records.stream().filter(RequestRecord::failed).mapToLong(RequestRecord::endMillis)
                .filter(t -> t >= fromMillis).min().stream().map(t -> t - fromMillis).findFirst();
    }

    /** Milliseconds from {@code fromMillis} until the last failure seen after it: how long the fault hurt. */
    public static OptionalLong lastFailureAfter(List<RequestRecord> records, long fromMillis) {
        return records.stream().filter(RequestRecord::failed).mapToLong(RequestRecord::endMillis)
                .filter(t -> t >= fromMillis).max().stream().map(t -> t - fromMillis).findFirst();
    }

    /**
     * Milliseconds from the window start to the start of the last request in it that {@code node} answered:
     * how long a killed node still got traffic. Empty when the node answered none in the window.
     */
    public static OptionalLong lastServedIn(List<RequestRecord> records, String node, Window window) {
        return records.stream().filter(startedIn(window)).filter(r -> r.node().filter(node::equals).isPresent())
                .mapToLong(RequestRecord::startMillis).max()
                .stream().map(t -> t - window.fromMillis()).findFirst();
    }

    /** Share (0..1) of requests in the window that succeeded; empty when none started in it. */
    public static OptionalDouble successRatio(List<RequestRecord> records, Window window) {
        long all = count(records, window, r -> !r.dropped());
        return all == 0 ? OptionalDouble.empty()
                : OptionalDouble.of(count(records, window, RequestRecord::succeeded) / (double) all);
    }
}
