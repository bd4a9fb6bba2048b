package dev.loomgate.gateway.resilience;

import java.util.Optional;

/**
 * Whether one failed try may be retried: the safety rules of {@link RetryPolicy} in one place,
 * as a pure function so every rule has a unit test. The budget is asked last, so a retry that
 * is refused for another reason does not spend it.
 */
public final class RetryDecision {
    /** Why a failed try was not retried; the metric label is {@link #label()}. */
    public enum Skip {
        /** The route does not retry this condition (or has no {@code retries:}). */
        NOT_ENABLED("not-enabled"),
        /** The failure may have reached the upstream and the request is not idempotent. */
        NOT_IDEMPOTENT("not-idempotent"),
        /** A failure that a retry cannot fix (invalid upstream response, client body failure). */
        NOT_RETRYABLE("not-retryable"),
        ATTEMPTS_EXHAUSTED("attempts-exhausted"),
        /** The body was streamed (longer than max-buffered-body) and cannot be sent again. */
        BODY_NOT_BUFFERED("body-not-buffered"),
        /** The route's total timeout has passed. */
        DEADLINE("deadline"),
        BUDGET_EXHAUSTED("budget-exhausted");

        private final String label;

        Skip(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private RetryDecision() {
    }

    /** The retry condition an upstream failure falls under, if any. */
    public static Optional<RetryPolicy.Condition> condition(TryFailure kind) {
        return kind.retryCondition();
    }

    /**
     * @param enabled      whether the policy lists the condition (or status) that failed
     * @param nothingSent  the upstream cannot have seen the request (connect failures)
     * @param idempotent   idempotent method or Idempotency-Key present
     * @param triesSoFar   tries already made, the failed one included
     * @param replayable   the body is held in memory (or there is none)
     * @param timeLeft     the total timeout has not passed
     * @return empty when the try may be retried (a retry has then been taken from the budget)
     */
    public static Optional<Skip> check(RetryPolicy policy, boolean enabled, boolean nothingSent, boolean idempotent,
                                       int triesSoFar, boolean replayable, boolean timeLeft, RetryBudget budget) {
        if (!enabled || !policy.retries()) {
            return Optional.of(Skip.NOT_ENABLED);
        }
        if (!nothingSent && !idempotent) {
            return Optional.of(Skip.NOT_IDEMPOTENT);
        }
        if (triesSoFar >= policy.attempts()) {
            return Optional.of(Skip.ATTEMPTS_EXHAUSTED);
        }
        if (!replayable) {
            return Optional.of(Skip.BODY_NOT_BUFFERED);
        }
        if (!timeLeft) {
            return Optional.of(Skip.DEADLINE);
        }
        if (budget != null && !budget.tryRetry()) {
            return Optional.of(Skip.BUDGET_EXHAUSTED);
        }
        return Optional.empty();
    }
}
