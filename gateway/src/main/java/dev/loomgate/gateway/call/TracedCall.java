package dev.loomgate.gateway.call;

import dev.loomgate.gateway.client.UpstreamException;
import dev.loomgate.gateway.observe.TraceContext;
import dev.loomgate.gateway.trace.TrySpan;
import dev.loomgate.gateway.upstream.Endpoint;

/**
 * A client span per try of a sampled request (outermost per try, so a try the breaker refuses shows too), and the
 * try's own {@code traceparent} upstream: the upstream's spans become children of this try, so a retry shows as a
 * second client span with its own subtree. An unsampled request passes straight through.
 */
final class TracedCall implements EndpointCall {
    private final String upstream;
    private final EndpointCall next;

    TracedCall(String upstream, EndpointCall next) {
        this.upstream = upstream;
        this.next = next;
    }

    @Override
    public TryOutcome call(EndpointTry attempt) {
        if (!attempt.trace().sampled()) {
            return next.call(attempt);
        }
        Endpoint endpoint = attempt.host().endpoint();
        TrySpan span = attempt.trace().startTry(attempt.request().method(), upstream, endpoint.host(), endpoint.port(),
                attempt.attempt());
        // tries run one after another on the request's thread, so the request's headers can carry each try's id
        attempt.request().headers().set(TraceContext.TRACEPARENT, span.traceparent());
        TryOutcome outcome;
        try {
            outcome = next.call(attempt);
        } catch (RuntimeException | Error e) {
            span.failed(e.getClass().getSimpleName());
            throw e;
        }
        switch (outcome) {
            case TryOutcome.Responded r -> span.responded(r.response().status());
            case TryOutcome.Threw t -> span.failed(reason(t.failure().kind()));
            case TryOutcome.NotSent n -> span.failed("not_sent: " + n.problem().type().slug());
        }
        return outcome;
    }

    private static String reason(UpstreamException.Kind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
