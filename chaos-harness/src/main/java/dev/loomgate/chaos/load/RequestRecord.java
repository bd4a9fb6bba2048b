package dev.loomgate.chaos.load;

import java.util.Objects;
import java.util.Optional;

/**
 * What happened to one request. Times are epoch nanoseconds taken from one monotonic clock anchored at
 * the run start, so differences between records are exact and instants compare with fault timestamps
 * ({@code System.currentTimeMillis()}) to within the anchor's millisecond.
 *
 * @param seq               issue order, from 0
 * @param kind              GET, POST with Idempotency-Key, or plain POST
 * @param scheduledEpochNanos when the open model wanted the request to start
 * @param startEpochNanos   when the request actually started (connect or write); equals scheduled for dropped ones
 * @param latencyNanos      start to complete response (or to the error); 0 for dropped ones
 * @param status            HTTP status, or 0 when {@code error} is not {@link ErrorClass#NONE}
 * @param error             transport error class, {@link ErrorClass#NONE} when a status was received
 * @param node              value of the node header ({@code X-Loomgate-Node}), empty if absent
 * @param lb                value of the LB header ({@code X-Loomgate-LB}), empty if absent
 * @param newConnection     whether the request opened (or tried to open) a fresh TCP connection
 * @param staleRetried      whether a pooled connection turned out closed and the (idempotent) request was re-sent once
 */
public record RequestRecord(long seq,
                            RequestKind kind,
                            long scheduledEpochNanos,
                            long startEpochNanos,
                            long latencyNanos,
                            int status,
                            ErrorClass error,
                            Optional<String> node,
                            Optional<String> lb,
                            boolean newConnection,
                            boolean staleRetried) {

    public RequestRecord {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(lb, "lb");
        if ((status == 0) == (error == ErrorClass.NONE)) {
            throw new IllegalArgumentException("a record has either a status or an error class: status=" + status
                    + " error=" + error);
        }
    }

    public String method() {
        return kind.method();
    }

    public boolean idempotent() {
        return kind.idempotent();
    }

    public long endEpochNanos() {
        return startEpochNanos + latencyNanos;
    }

    public long startMillis() {
        return startEpochNanos / 1_000_000L;
    }

    public long endMillis() {
        return endEpochNanos() / 1_000_000L;
    }

    public double latencyMillis() {
        return latencyNanos / 1e6;
    }

    public boolean dropped() {
        return error == ErrorClass.DROPPED_IN_FLIGHT_CAP;
    }

    /** Got a 1xx/2xx/3xx status. */
    public boolean succeeded() {
        return error == ErrorClass.NONE && status < 400;
    }

    /** Answered 4xx: the cluster refused it on purpose (429 rate limit, 404, ...) — not an availability failure. */
    public boolean rejected() {
        return error == ErrorClass.NONE && status >= 400 && status < 500;
    }

    /** A 5xx or a transport error (dropped-by-cap requests are the generator's own limit, not a failure). */
    public boolean failed() {
        return (error == ErrorClass.NONE && status >= 500) || (error != ErrorClass.NONE && !dropped());
    }

    public boolean serverError() {
        return error == ErrorClass.NONE && status >= 500;
    }

    /** Whether the request was on the wire at {@code epochNanos}: started at or before it and not yet complete. */
    public boolean inFlightAt(long epochNanos) {
        return !dropped() && startEpochNanos <= epochNanos && epochNanos < endEpochNanos();
    }

    public boolean inFlightAtMillis(long epochMillis) {
        return inFlightAt(epochMillis * 1_000_000L);
    }

    /** Status as text, or the error class label: {@code 200}, {@code connect-refused}. */
    public String outcome() {
        return error == ErrorClass.NONE ? Integer.toString(status) : error.label();
    }
}
