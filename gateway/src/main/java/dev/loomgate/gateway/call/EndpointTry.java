package dev.loomgate.gateway.call;

import java.time.Duration;

import dev.loomgate.gateway.client.UpstreamRequest;
import dev.loomgate.gateway.resilience.Timeouts;
import dev.loomgate.gateway.trace.RequestTrace;
import dev.loomgate.gateway.upstream.UpstreamHost;

/**
 * One try of a request.
 *
 * @param connectTimeout  connect timeout per try (before the total deadline shortens it)
 * @param responseTimeout response timeout per try (before the total deadline shortens it)
 * @param deadlineNanos   {@link System#nanoTime()} by which all tries must have their response head;
 *                        {@link Long#MAX_VALUE} when there is no total timeout
 * @param timeouts        the route's timeouts over the upstream's (for the problem's wording)
 * @param attempt         1 for the first try, 2 for the first retry, ...
 * @param trace           the request's trace ({@link RequestTrace#UNSAMPLED} when not traced)
 */
public record EndpointTry(UpstreamHost host, UpstreamRequest request, Duration connectTimeout,
                          Duration responseTimeout, long deadlineNanos, Timeouts timeouts, int attempt,
                          RequestTrace trace) {
    /** Socket timeouts have millisecond resolution: less than this left of the total is nothing left. */
    public static final long MIN_TRY_NANOS = 5_000_000;

    public static final long NO_DEADLINE = Long.MAX_VALUE;

    /** A first try of an untraced request. */
    public EndpointTry(UpstreamHost host, UpstreamRequest request, Duration connectTimeout, Duration responseTimeout,
                       long deadlineNanos, Timeouts timeouts) {
        this(host, request, connectTimeout, responseTimeout, deadlineNanos, timeouts, 1, RequestTrace.UNSAMPLED);
    }

    /** Whether enough of the total timeout is left for another try. */
    public boolean timeLeft() {
        return deadlineNanos - System.nanoTime() > MIN_TRY_NANOS;
    }
}
