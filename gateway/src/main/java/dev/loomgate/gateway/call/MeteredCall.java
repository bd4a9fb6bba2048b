package dev.loomgate.gateway.call;

import dev.loomgate.gateway.client.UpstreamException;
import dev.loomgate.gateway.observe.TrafficStats;

/**
 * Records every try that reached the upstream in the upstream's traffic stats: its status and
 * time to the response head, or 599 when it failed. A client that stalls or breaks its body is
 * counted as a client error, never the upstream's; a try that was not sent is not counted.
 */
final class MeteredCall implements EndpointCall {
    /** The status recorded for a try that got no response. */
    static final int NO_RESPONSE = 599;

    private final TrafficStats stats;
    private final EndpointCall next;

    MeteredCall(TrafficStats stats, EndpointCall next) {
        this.stats = stats;
        this.next = next;
    }

    @Override
    public TryOutcome call(EndpointTry attempt) {
        long sent = System.nanoTime();
        TryOutcome outcome = next.call(attempt);
        switch (outcome) {
            case TryOutcome.Responded r -> stats.record(r.response().status(), System.nanoTime() - sent);
            case TryOutcome.Threw t -> {
                if (t.failure().kind() != UpstreamException.Kind.CLIENT_BODY_FAILED) {
                    stats.record(NO_RESPONSE, System.nanoTime() - sent);
                }
            }
            case TryOutcome.NotSent n -> {
            }
        }
        return outcome;
    }
}
