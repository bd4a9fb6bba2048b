package dev.loomgate.gateway.call;

import java.util.Optional;
import java.util.Set;

import dev.loomgate.gateway.client.UpstreamException;
import dev.loomgate.gateway.client.UpstreamRequest;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.resilience.RetryBudget;
import dev.loomgate.gateway.resilience.RetryPolicy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RetryRuleTest {
    private static final RetryPolicy THREE = new RetryPolicy(3, Set.of(RetryPolicy.Condition.CONNECT_FAILURE,
            RetryPolicy.Condition.RESET), RetryPolicy.DEFAULT_STATUSES, 20, 10, 65536);
    private final RetryRule rule = RetryRule.failsafe();

    private RetryRule.Decision after(UpstreamException.Kind kind, UpstreamRequest request, int tries) {
        return rule.decide(Tries.threw(kind), new RetryRule.Context(THREE, request, tries, true, Optional.empty()));
    }

    @Test
    void aFailureBeforeAnythingWasSentIsRetriedForAnyMethod() {
        assertEquals(RetryRule.Decision.retry("connect-failure"), after(UpstreamException.Kind.CONNECT_FAILED, Tries.post(), 1));
        assertEquals(RetryRule.Decision.retry("connect-failure"), after(UpstreamException.Kind.POOL_EXHAUSTED, Tries.post(), 1));
    }

    @Test
    void aFailureAfterSendingIsRetriedOnlyWhenIdempotent() {
        assertEquals(RetryRule.Decision.stop("not-idempotent"), after(UpstreamException.Kind.RESET_BEFORE_RESPONSE, Tries.post(), 1));
        assertEquals(RetryRule.Decision.retry("reset"), after(UpstreamException.Kind.RESET_BEFORE_RESPONSE, Tries.get(), 1));
    }

    @Test
    void reasonsWhyNot() {
        assertEquals(RetryRule.Decision.stop("not-retryable"), after(UpstreamException.Kind.PROTOCOL_ERROR, Tries.get(), 1));
        assertEquals(RetryRule.Decision.stop("not-retryable"), after(UpstreamException.Kind.CLIENT_BODY_FAILED, Tries.get(), 1));
        assertEquals(RetryRule.Decision.stop("not-enabled"), after(UpstreamException.Kind.RESPONSE_TIMEOUT, Tries.get(), 1));
        assertEquals(RetryRule.Decision.stop("attempts-exhausted"), after(UpstreamException.Kind.CONNECT_FAILED, Tries.get(), 3));
        assertEquals(RetryRule.Decision.stop("deadline"), rule.decide(Tries.threw(UpstreamException.Kind.CONNECT_FAILED),
                new RetryRule.Context(THREE, Tries.get(), 1, false, Optional.empty())));
        assertEquals(RetryRule.Decision.stop("budget-exhausted"), rule.decide(Tries.threw(UpstreamException.Kind.CONNECT_FAILED),
                new RetryRule.Context(THREE, Tries.get(), 1, true, Optional.of(new RetryBudget(0, 0, () -> 1)))));
    }

    @Test
    void aTryThatWasNotSentIsAnsweredAsItIs() {
        assertEquals(RetryRule.Decision.ANSWER, rule.decide(
                new TryOutcome.NotSent(new Problem(Problem.Type.CIRCUIT_OPEN, "open"), Tries.none()),
                new RetryRule.Context(THREE, Tries.get(), 1, true, Optional.empty())));
    }
}
