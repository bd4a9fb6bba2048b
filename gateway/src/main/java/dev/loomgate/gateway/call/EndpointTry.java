package dev.loomgate.gateway.call;

import java.time.Duration;

import dev.loomgate.gateway.client.UpstreamRequest;
import dev.loomgate.gateway.resilience.Timeouts;
import dev.loomgate.gateway.upstream.UpstreamHost;

/**
 * One try of a request.
 *
 * @param connectTimeout  connect timeout per try (before the total deadline shortens it)
 * @param responseTimeout response timeout per try (before the total deadline shortens it)
 * @param deadlineNanos   {@link System#nanoTime()} by which all tries must have their response head;
 *                        {@link Long#MAX_VALUE} when there is no total timeout
 * @param timeouts        the route's timeouts over the upstream's (for the problem's wording)
 */
public record EndpointTry(UpstreamHost host, UpstreamRequest request, Duration connectTimeout,
                          Duration responseTimeout, long deadlineNanos, Timeouts timeouts) {
    /** Socket timeouts have millisecond resolution: less than this left of the total is nothing left. */
    public static final long MIN_TRY_NANOS = 5_000_000;

    public static final long NO_DEADLINE = Long.MAX_VALUE;

    /** Whether enough of the total timeout is left for another try. */
    public boolean timeLeft() {
        return deadlineNanos - System.nanoTime() > MIN_TRY_NANOS;
    }
}
