package dev.loomgate.gateway.resilience;

import java.util.Optional;
import java.util.Set;

import dev.loomgate.gateway.client.UpstreamException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RetryDecisionTest {
    private static final RetryPolicy THREE = new RetryPolicy(3, RetryPolicy.DEFAULT_ON, RetryPolicy.DEFAULT_STATUSES,
            20, 10, 65536);

    private static Optional<RetryDecision.Skip> check(RetryPolicy p, boolean nothingSent, boolean idempotent,
                                                      int tries, boolean replayable, boolean timeLeft) {
        return RetryDecision.check(p, true, nothingSent, idempotent, tries, replayable, timeLeft, null);
    }

    @Test
    void conditionsOfFailures() {
        assertEquals(Optional.of(RetryPolicy.Condition.CONNECT_FAILURE), RetryDecision.condition(UpstreamException.Kind.CONNECT_FAILED));
        assertEquals(Optional.of(RetryPolicy.Condition.CONNECT_FAILURE), RetryDecision.condition(UpstreamException.Kind.CONNECT_TIMEOUT));
        assertEquals(Optional.of(RetryPolicy.Condition.RESET), RetryDecision.condition(UpstreamException.Kind.RESET_BEFORE_RESPONSE));
        assertEquals(Optional.of(RetryPolicy.Condition.TIMEOUT), RetryDecision.condition(UpstreamException.Kind.RESPONSE_TIMEOUT));
        assertEquals(Optional.empty(), RetryDecision.condition(UpstreamException.Kind.PROTOCOL_ERROR));
        assertEquals(Optional.empty(), RetryDecision.condition(UpstreamException.Kind.CLIENT_BODY_FAILED));
    }

    @Test
    void nothingSentIsRetriedForAnyMethod() {
        assertEquals(Optional.empty(), check(THREE, true, false, 1, true, true));
    }

    @Test
    void somethingSentNeedsIdempotency() {
        assertEquals(Optional.of(RetryDecision.Skip.NOT_IDEMPOTENT), check(THREE, false, false, 1, true, true));
        assertEquals(Optional.empty(), check(THREE, false, true, 1, true, true));
    }

    @Test
    void limits() {
        assertEquals(Optional.of(RetryDecision.Skip.ATTEMPTS_EXHAUSTED), check(THREE, true, true, 3, true, true));
        assertEquals(Optional.of(RetryDecision.Skip.BODY_NOT_BUFFERED), check(THREE, true, true, 1, false, true));
        assertEquals(Optional.of(RetryDecision.Skip.DEADLINE), check(THREE, true, true, 1, true, false));
        assertEquals(Optional.of(RetryDecision.Skip.NOT_ENABLED), check(RetryPolicy.NONE, true, true, 1, true, true));
        assertEquals(Optional.of(RetryDecision.Skip.NOT_ENABLED),
                RetryDecision.check(THREE, false, true, true, 1, true, true, null));
    }

    @Test
    void theBudgetIsAskedLastAndOnlySpentOnRetries() {
        RetryBudget budget = new RetryBudget(0, 0, () -> 5);
        assertEquals(Optional.of(RetryDecision.Skip.BUDGET_EXHAUSTED),
                RetryDecision.check(THREE, true, true, true, 1, true, true, budget));
        RetryBudget one = new RetryBudget(0, 1, () -> 5); // 10 retries in the window
        for (int i = 0; i < 20; i++) {
            RetryDecision.check(THREE, true, false, false, 1, true, true, one); // refused: not idempotent
        }
        assertEquals(Optional.empty(), RetryDecision.check(THREE, true, true, true, 1, true, true, one));
        assertEquals(Set.of(502, 503, 504), THREE.statuses());
    }
}
