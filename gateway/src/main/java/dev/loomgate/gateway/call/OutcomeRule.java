package dev.loomgate.gateway.call;

import dev.loomgate.gateway.client.UpstreamException;

/**
 * What a try's outcome says about the endpoint, for the circuit breaker and outlier detection
 * (Armeria's {@code CircuitBreakerRule} idea: responses count, not only exceptions).
 */
@FunctionalInterface
public interface OutcomeRule {
    /** The judgement of one outcome. */
    enum Verdict {
        SUCCESS,
        FAILURE,
        /** Says nothing about the endpoint (the client's fault, no free connection, not sent). */
        IGNORE
    }

    Verdict judge(TryOutcome outcome);

    /**
     * 5xx answers and failures of the upstream count as failures; the client's own body failures
     * and an exhausted connection pool (our limit, not the upstream's) say nothing.
     */
    static OutcomeRule serverErrors() {
        return outcome -> switch (outcome) {
            case TryOutcome.Responded r -> r.response().status() < 500 ? Verdict.SUCCESS : Verdict.FAILURE;
            case TryOutcome.Threw t -> upstreamsFault(t.failure().kind()) ? Verdict.FAILURE : Verdict.IGNORE;
            case TryOutcome.NotSent n -> Verdict.IGNORE;
        };
    }

    static boolean upstreamsFault(UpstreamException.Kind kind) {
        return kind != UpstreamException.Kind.CLIENT_BODY_FAILED && kind != UpstreamException.Kind.POOL_EXHAUSTED;
    }
}
