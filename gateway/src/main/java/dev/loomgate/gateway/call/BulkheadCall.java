package dev.loomgate.gateway.call;

import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.resilience.Bulkhead;
import dev.loomgate.gateway.resilience.ResilienceMetrics;

/**
 * The upstream's bulkhead around all tries of a request: beyond {@code max-in-flight} a request
 * is refused at once (503). A response's permit is held until it has been relayed.
 */
final class BulkheadCall implements UpstreamCall {
    private final String upstream;
    private final Bulkhead bulkhead;
    private final ResilienceMetrics metrics;
    private final UpstreamCall next;

    BulkheadCall(String upstream, Bulkhead bulkhead, ResilienceMetrics metrics, UpstreamCall next) {
        this.upstream = upstream;
        this.bulkhead = bulkhead;
        this.metrics = metrics;
        this.next = next;
    }

    @Override
    public CallOutcome call(CallRequest request) {
        if (!bulkhead.tryAcquire()) {
            metrics.bulkheadRejected(upstream);
            return new CallOutcome.Failed(new Problem(Problem.Type.UPSTREAM_MAX_IN_FLIGHT, "upstream '" + upstream
                    + "' already has " + bulkhead.max() + " requests in flight (max-in-flight)"));
        }
        boolean handedOver = false;
        try {
            CallOutcome outcome = next.call(request);
            if (outcome instanceof CallOutcome.Answered a) {
                handedOver = true;
                return new CallOutcome.Answered(a.response(), a.host(), () -> {
                    a.finished().run();
                    bulkhead.release();
                });
            }
            return outcome;
        } finally {
            if (!handedOver) {
                bulkhead.release();
            }
        }
    }
}
