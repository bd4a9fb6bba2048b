package dev.loomgate.gateway.call;

import dev.loomgate.gateway.client.UpstreamException;
import dev.loomgate.gateway.upstream.PeakEwmaSettings;

/**
 * Feeds the {@code peak-ewma} balancer: records each try's time to the response head (or to its
 * failure) on the endpoint's {@link dev.loomgate.gateway.upstream.PeakEwma}. Only in the chain of
 * upstreams that use that balancer. As in Finagle, a failure counts with the time it took: a fast
 * failure looks fast, so an endpoint that refuses connections is left to outlier detection and
 * health checks (use them with this balancer). A client that broke its own body says nothing
 * about the endpoint and is not recorded; a try that was not sent has no latency.
 */
final class PeakEwmaCall implements EndpointCall {
    private final long decayNanos;
    private final EndpointCall next;

    PeakEwmaCall(PeakEwmaSettings settings, EndpointCall next) {
        this.decayNanos = settings.decayNanos();
        this.next = next;
    }

    @Override
    public TryOutcome call(EndpointTry attempt) {
        long sent = System.nanoTime();
        TryOutcome outcome = next.call(attempt);
        boolean measured = switch (outcome) {
            case TryOutcome.Responded r -> true;
            case TryOutcome.Threw t -> t.failure().kind() != UpstreamException.Kind.CLIENT_BODY_FAILED;
            case TryOutcome.NotSent n -> false;
        };
        if (measured) {
            long now = System.nanoTime();
            attempt.host().latency().record(now - sent, now, decayNanos);
        }
        return outcome;
    }
}
