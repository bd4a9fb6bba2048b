package dev.loomgate.gateway.call;

import java.util.Optional;

import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.resilience.CircuitBreaker;
import dev.loomgate.gateway.resilience.ResilienceMetrics;

/**
 * The upstream's circuit breaker around each try: an open breaker answers at once (503 with
 * Retry-After) without touching the upstream; otherwise the try's outcome, judged by the rule,
 * is recorded (responses count, not only exceptions). An outcome that says nothing about the
 * upstream gives back the breaker's permit.
 */
final class BreakerCall implements EndpointCall {
    private final String upstream;
    private final CircuitBreaker breaker;
    private final OutcomeRule rule;
    private final ResilienceMetrics metrics;
    private final EndpointCall next;

    BreakerCall(String upstream, CircuitBreaker breaker, OutcomeRule rule, ResilienceMetrics metrics, EndpointCall next) {
        this.upstream = upstream;
        this.breaker = breaker;
        this.rule = rule;
        this.metrics = metrics;
        this.next = next;
    }

    @Override
    public TryOutcome call(EndpointTry attempt) {
        if (!breaker.tryAcquire()) {
            metrics.breakerRejected(upstream);
            return new TryOutcome.NotSent(new Problem(Problem.Type.CIRCUIT_OPEN, "upstream '" + upstream
                    + "' is failing; its circuit breaker is open"), Optional.of(breaker.retryAfter()));
        }
        TryOutcome outcome;
        try {
            outcome = next.call(attempt);
        } catch (RuntimeException | Error e) {
            breaker.release();
            throw e;
        }
        switch (rule.judge(outcome)) {
            case SUCCESS -> breaker.record(true);
            case FAILURE -> breaker.record(false);
            case IGNORE -> breaker.release();
        }
        return outcome;
    }
}
